import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from './challenge-helpers.js';
import { WebAuthnBrowser } from './webauthn-browser.js';
import { assert, decide, session, startWebAuthnService, type WebAuthnCtx } from './webauthn-helpers.js';

/**
 * S33, S31 (NIST SP 800-63B §6.1.2.1): a new authenticator is bound only after authenticating at
 * the level at which it will be used — real service, real Chromium with a CDP virtual
 * authenticator.
 */
describe('S33: a new factor never reaches above the level its step-up proved', () => {
  let b: WebAuthnBrowser;
  let ctx: WebAuthnCtx;
  const user = 'tara';
  let secret = '';
  const tickets: string[] = [];
  let firstPasskey = '';

  /** A first TOTP factor (no step-up: the user has none). */
  async function enrollFirstTotp(): Promise<string> {
    const ticket = await ctx.call('POST', '/v1/enrollments', {
      userId: user,
      subject: session(user),
      method: 'totp',
    });
    const started = await ctx.browser('POST', `/v1/enrollments/${ticket.body.ticket}/totp`, {});
    const confirmed = await ctx.browser('POST', `/v1/enrollments/${ticket.body.ticket}/totp/confirm`, {
      code: totpCode(started.body.secret, ctx.clock()),
    });
    expect(confirmed.body.factor).toMatchObject({ method: 'totp', maxLevel: 'aal2' });
    ctx.clock.advance(30_000);
    return started.body.secret as string;
  }

  /** A passkey ticket after a TOTP step-up (aal2: the strongest factor the user has). */
  async function passkeyTicketWithTotp(): Promise<string> {
    const gate = await ctx.call('POST', '/v1/enrollments', {
      userId: user,
      subject: session(user),
      method: 'webauthn',
    });
    expect(gate.body).toMatchObject({
      decision: 'step_up',
      requirement: { level: 'aal2', methods: ['totp'] },
    });
    const verified = await ctx.browser('POST', `/v1/challenges/${gate.body.challenge.id}/verify`, {
      method: 'totp',
      code: totpCode(secret, ctx.clock()),
    });
    expect(verified.body.acr).toBe(ctx.svc.config.acrValues.aal2);
    ctx.clock.advance(30_000);
    const ticket = await ctx.call('POST', '/v1/enrollments', {
      userId: user,
      subject: session(user),
      method: 'webauthn',
      stepUpToken: verified.body.token,
    });
    expect(ticket.body.ticket).toMatch(/^enr_/);
    return ticket.body.ticket as string;
  }

  /** Registers the current virtual authenticator's new credential with a ticket. */
  async function register(ticket: string) {
    const options = await ctx.browser('POST', `/v1/enrollments/${ticket}/webauthn/options`, {
      method: 'webauthn',
    });
    const response = await b.create(options.body.publicKey);
    return ctx.browser('POST', `/v1/enrollments/${ticket}/webauthn/verify`, { response, label: 'key' });
  }

  const factorAdded = async (factorId: string) => {
    const audit = await ctx.admin('GET', `/v1/audit?user=${user}&type=factor.added`);
    return audit.body.records.find((r: { event: { factorId?: string } }) => r.event.factorId === factorId)
      .event;
  };

  beforeAll(async () => {
    b = await WebAuthnBrowser.open();
    ctx = await startWebAuthnService(b.origin);
    secret = await enrollFirstTotp();
    // Two passkey tickets, each after an aal2 step-up, while TOTP is Tara's only factor.
    tickets.push(await passkeyTicketWithTotp(), await passkeyTicketWithTotp());
  }, 90_000);
  afterAll(async () => {
    await ctx?.svc.close();
    await b?.close();
  });

  it('S33: a user with only TOTP enrolling a device-bound UV passkey gets aal3, audited as above the proof', async () => {
    await b.addAuthenticator({ isUserVerified: true, backup: false });
    const added = await register(tickets[0]!);
    expect(added.status).toBe(200);
    expect(added.body.factor).toMatchObject({ method: 'webauthn', maxLevel: 'aal3', backupEligible: false });
    firstPasskey = added.body.factor.id;
    const event = await factorAdded(firstPasskey);
    expect(event).toMatchObject({
      what: { method: 'webauthn', level: 'aal3' },
      detail: { provenLevel: 'aal2', levelAboveProof: true, reason: 'no_factor_at_level' },
    });
    // The TOTP factor was Tara's first: also audited as above any proof.
    const audit = await ctx.admin('GET', `/v1/audit?user=${user}&type=factor.added`);
    const totp = audit.body.records.find(
      (r: { event: { what: { method: string } } }) => r.event.what.method === 'totp',
    );
    expect(totp.event.detail).toEqual({ levelAboveProof: true, reason: 'first_factor' });
  });

  it('S33, S31: with TOTP and an aal3 passkey, adding a passkey asks for aal3 — only the passkey can give it', async () => {
    const gate = await ctx.call('POST', '/v1/enrollments', {
      userId: user,
      subject: session(user),
      method: 'webauthn',
    });
    expect(gate.body).toMatchObject({
      decision: 'step_up',
      requirement: { level: 'aal3', methods: ['webauthn'], maxAge: 0, bindTransaction: true },
      challenge: { methods: ['webauthn'] },
    });
    // Any method at all (none given) may add a passkey, so it asks for aal3 too.
    const any = await ctx.call('POST', '/v1/enrollments', { userId: user, subject: session(user) });
    expect(any.body.requirement).toMatchObject({ level: 'aal3', methods: ['webauthn'] });
    // A TOTP alone still needs aal2, which both factors give.
    const totp = await ctx.call('POST', '/v1/enrollments', {
      userId: user,
      subject: session(user),
      method: 'totp',
    });
    expect(totp.body.requirement).toMatchObject({ level: 'aal2', methods: ['webauthn', 'totp'] });
    // An aal2 (TOTP) token does not open the passkey ticket.
    const verified = await ctx.browser('POST', `/v1/challenges/${totp.body.challenge.id}/verify`, {
      method: 'totp',
      code: totpCode(secret, ctx.clock()),
    });
    ctx.clock.advance(30_000);
    const refused = await ctx.call('POST', '/v1/enrollments', {
      userId: user,
      subject: session(user),
      method: 'webauthn',
      stepUpToken: verified.body.token,
    });
    expect(refused.body.decision).toBe('step_up');
  });

  it('S33: a ticket that proved only aal2 gives a factor capped at aal2, which does not pass an aal3 policy', async () => {
    // The second ticket was opened with an aal2 proof before Tara had an aal3 factor; she has one now.
    await b.removeAllAuthenticators();
    await b.addAuthenticator({ isUserVerified: true, backup: false });
    const added = await register(tickets[1]!);
    expect(added.status).toBe(200);
    expect(added.body.factor).toMatchObject({ method: 'webauthn', maxLevel: 'aal2', backupEligible: false });
    expect(await factorAdded(added.body.factor.id)).toMatchObject({
      what: { level: 'aal2' },
      detail: { provenLevel: 'aal2', reason: 'capped_to_proof' },
    });
    // The capped passkey verifies, but at aal2: the aal3 wire still steps up.
    const wire = { amount: 50_000, currency: 'EUR', payee: 'Mallory' };
    const first = await decide(ctx, user, 'payments.wire', wire);
    expect(first.decision).toBe('step_up');
    const { response } = await assert(ctx, b, first.challenge.id);
    const verified = await ctx.browser('POST', `/v1/challenges/${first.challenge.id}/verify`, {
      method: 'webauthn',
      response,
    });
    expect(verified.body.acr).toBe(ctx.svc.config.acrValues.aal2);
    expect((await decide(ctx, user, 'payments.wire', wire, verified.body.token)).decision).toBe('step_up');
  });
});
