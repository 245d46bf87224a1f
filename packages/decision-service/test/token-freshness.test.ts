import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTotp, lastCode, SMALL, startWithChallenges, totpCode } from './challenge-helpers.js';
import { freshDir } from './helpers.js';

/** A fresh check on transfers, aal2 within 15 minutes for the admin area and for reports (any action). */
const POLICY = `
policies:
  - id: fresh-check-for-transfers
    when: { action: payments.transfer, transaction.amount: { gt: 500 } }
    require: { level: aal1, maxAge: 0, bindTransaction: true }
  - id: admin-area
    when: { action: "admin.**" }
    require: { level: aal2, maxAge: 15m }
  - id: reports
    when: { action: "reports.*" }
    require: { level: aal2, maxAge: 15m, anyAction: true }
default: allow
`;

describe('S34: freshness at the proven level, tokens for their own action', () => {
  let ctx: Awaited<ReturnType<typeof startWithChallenges>>;
  beforeAll(async () => {
    ctx = await startWithChallenges({ policies: POLICY });
  });
  afterAll(() => ctx.svc.close());

  const decide = (userId: string, action: string, subject: Record<string, unknown>, extra = {}) =>
    ctx.call('POST', '/v1/decisions', {
      subject: { id: userId, sessionId: `s-${userId}`, ...subject },
      action: { name: action },
      ...extra,
    });

  it('S34, S2, S24: on an aal2 session an hour old, an email code on an aal1 fresh check gives an aal1 token that does not satisfy "aal2 within 15 min"', async () => {
    await enrollTotp(ctx, 'olga');
    // The email is set in the store: adding it over HTTP would itself need a step-up (S31).
    await ctx.svc.store.upsertUser({ id: 'olga', email: 'olga@example.com', updatedAt: ctx.clock() });
    const hourOld = { acr: 'urn:stepgate:aal2', authTime: Math.floor(ctx.clock() / 1000) - 3600 };
    // The session itself is aal2 but too old for the admin area.
    expect((await decide('olga', 'admin.users.read', hourOld)).body.decision).toBe('step_up');
    const fresh = await decide('olga', 'payments.transfer', hourOld, { transaction: SMALL });
    expect(fresh.body.decision).toBe('step_up');
    expect(fresh.body.challenge.methods).toContain('email_otp');
    const id = fresh.body.challenge.id as string;
    await ctx.browser('POST', `/v1/challenges/${id}/start`, { method: 'email_otp' });
    const ok = await ctx.browser('POST', `/v1/challenges/${id}/verify`, {
      method: 'email_otp',
      code: await lastCode(ctx, 'olga@example.com'),
    });
    expect(ok.status).toBe(200);
    // What the email code proved, now: aal1 — not the session's older aal2.
    expect(ok.body.acr).toBe('urn:stepgate:aal1');
    const claims = decodeJwt(ok.body.token);
    expect(claims).toMatchObject({ acr: 'urn:stepgate:aal1', auth_time: Math.floor(ctx.clock() / 1000) });
    // "aal2 within 15 min" of another action: refused (the level, and the action).
    const admin = await decide('olga', 'admin.users.read', hourOld, { stepUpToken: ok.body.token });
    expect(admin.body.decision).toBe('step_up');
    expect(admin.body.reasons.at(-1)).toMatchObject({ code: 'token_rejected' });
    // Even where any action is accepted, the level is not there.
    const report = await decide('olga', 'reports.read', hourOld, { stepUpToken: ok.body.token });
    expect(report.body.decision).toBe('step_up');
    expect(report.body.reasons.at(-1)).toMatchObject({
      code: 'token_rejected',
      values: { failure: 'level_too_low' },
    });
    // The token still does what it was minted for: this transfer, once.
    const transfer = await decide('olga', 'payments.transfer', hourOld, {
      transaction: SMALL,
      stepUpToken: ok.body.token,
    });
    expect(transfer.body.decision).toBe('allow');
  });

  it('S34: a token minted for action A is refused for action B when neither requirement binds; anyAction: true accepts it', async () => {
    const { secret } = await enrollTotp(ctx, 'paul');
    const session = { acr: 'aal1', authTime: Math.floor(ctx.clock() / 1000) };
    const read = await decide('paul', 'admin.users.read', session);
    expect(read.body.requirement).toMatchObject({ level: 'aal2', maxAge: 900, bindTransaction: false });
    expect(read.body.requirement).not.toHaveProperty('anyAction');
    const ok = await ctx.browser('POST', `/v1/challenges/${read.body.challenge.id}/verify`, {
      method: 'totp',
      code: totpCode(secret, ctx.clock()),
    });
    expect(ok.body.acr).toBe('urn:stepgate:aal2');
    const withToken = { stepUpToken: ok.body.token };
    // Action A, twice (not single use).
    expect((await decide('paul', 'admin.users.read', session, withToken)).body.decision).toBe('allow');
    expect((await decide('paul', 'admin.users.read', session, withToken)).body.decision).toBe('allow');
    // Action B, same level and maxAge, nothing bound: refused, and the token is not consumed.
    const exportUsers = await decide('paul', 'admin.users.export', session, withToken);
    expect(exportUsers.body.decision).toBe('step_up');
    expect(exportUsers.body.reasons.at(-1)).toMatchObject({
      code: 'token_rejected',
      values: { failure: 'action_mismatch' },
    });
    // A policy that says anyAction accepts it.
    const report = await decide('paul', 'reports.read', session, withToken);
    expect(report.body.requirement).toMatchObject({ level: 'aal2', maxAge: 900, anyAction: true });
    expect(report.body.decision).toBe('allow');
    // …within its maxAge only.
    ctx.clock.advance(901_000);
    expect((await decide('paul', 'reports.read', session, withToken)).body.decision).toBe('step_up');
  });
});

describe('S34: a factor change asks only for what its methods can prove now', () => {
  it('S34, S31: after the policies lower TOTP to aal1, adding a passkey asks for aal1 (what the TOTP proves), not its enrolled aal2, and the TOTP step-up opens the ticket', async () => {
    const file = join(freshDir(), 'policies.yaml');
    writeFileSync(file, 'policies: []\ndefault: allow\n');
    const ctx = await startWithChallenges({ policies: file, watchPolicies: false });
    const { secret } = await enrollTotp(ctx, 'quinn');
    writeFileSync(file, 'methods: { totp: aal1 }\npolicies: []\ndefault: allow\n');
    expect(ctx.svc.reloadPolicies()).toMatchObject({ ok: true });
    const body = {
      userId: 'quinn',
      subject: { id: 'quinn', sessionId: 's-quinn', acr: 'aal1' },
      method: 'webauthn',
    };
    const gated = await ctx.call('POST', '/v1/enrollments', body);
    expect(gated.body).toMatchObject({
      decision: 'step_up',
      requirement: { level: 'aal1', methods: ['totp'] },
    });
    const ok = await ctx.browser('POST', `/v1/challenges/${gated.body.challenge.id}/verify`, {
      method: 'totp',
      code: totpCode(secret, ctx.clock()),
    });
    expect(ok.body.acr).toBe('urn:stepgate:aal1');
    const ticket = await ctx.call('POST', '/v1/enrollments', { ...body, stepUpToken: ok.body.token });
    expect(ticket.body.ticket).toMatch(/^enr_/);
    await ctx.svc.close();
  });
});
