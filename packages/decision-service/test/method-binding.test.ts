import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTotp, totpCode } from './challenge-helpers.js';
import { SoftAuthenticator } from './soft-authenticator.js';
import {
  assert,
  registerCredential,
  session,
  startWebAuthnService,
  type WebAuthnCtx,
} from './webauthn-helpers.js';

const ORIGIN = 'http://localhost:5173';

/** Any second factor for reports, a passkey for keys; both accept a token of another action. */
const POLICY = `
policies:
  - id: reports
    when: { action: "reports.*" }
    require: { level: aal2, maxAge: 15m, anyAction: true }
  - id: keys-with-a-passkey
    when: { action: "keys.*" }
    require: { level: aal2, maxAge: 15m, methods: [webauthn], anyAction: true }
default: allow
`;

/** The step-up entry of a token's `authorization_details`. */
const stepUpDetail = (token: string) =>
  (decodeJwt(token).authorization_details as Array<Record<string, unknown>>).find(
    (d) => d.type === 'urn:stepgate:step-up',
  );

describe('S24: require.methods binds Stepgate’s own tokens and the session (docs/policies.md)', () => {
  let ctx: WebAuthnCtx;
  let passkey: SoftAuthenticator;
  let secret: string;
  beforeAll(async () => {
    ctx = await startWebAuthnService(ORIGIN, { policies: POLICY });
    // A passkey first (the first factor needs no step-up), then a TOTP opened with the passkey (S31).
    passkey = new SoftAuthenticator({
      aaguid: '00000000-0000-0000-0000-000000000000',
      attestation: { type: 'self' },
      origin: ORIGIN,
    });
    expect((await registerCredential(ctx, passkey, 'tess')).status).toBe(200);
    const gated = await ctx.call('POST', '/v1/enrollments', {
      userId: 'tess',
      subject: session('tess'),
      method: 'totp',
    });
    expect(gated.body.decision).toBe('step_up');
    const { response } = await assert(ctx, passkey, gated.body.challenge.id);
    const opened = await ctx.browser('POST', `/v1/challenges/${gated.body.challenge.id}/verify`, {
      method: 'webauthn',
      response,
    });
    expect(opened.status).toBe(200);
    ({ secret } = await enrollTotp(ctx as never, 'tess', { stepUpToken: opened.body.token }));
  });
  afterAll(() => ctx?.svc.close());

  const decide = (
    action: string,
    extra: Record<string, unknown> = {},
    subject: Record<string, unknown> = {},
  ) =>
    ctx.call('POST', '/v1/decisions', {
      subject: { ...session('tess'), authTime: Math.floor(ctx.clock() / 1000), ...subject },
      action: { name: action },
      ...extra,
    });

  it('S24: a TOTP token minted for action A (anyAction) is refused by a passkey-only anyAction policy with method_not_allowed, audited; a passkey token is accepted', async () => {
    const reports = await decide('reports.read');
    expect(reports.body.decision).toBe('step_up');
    expect(reports.body.requirement).not.toHaveProperty('restrictsMethods');
    const totp = await ctx.browser('POST', `/v1/challenges/${reports.body.challenge.id}/verify`, {
      method: 'totp',
      code: totpCode(secret, ctx.clock()),
    });
    expect(totp.status).toBe(200);
    // amr says only "a one-time code and more than one factor"; the token names its method.
    expect(totp.body.amr).toEqual(['otp', 'mfa']);
    expect(stepUpDetail(totp.body.token)).toMatchObject({ action: 'reports.read', method: 'totp' });
    // It opens another report (anyAction, no methods named)…
    expect((await decide('reports.export', { stepUpToken: totp.body.token })).body.decision).toBe('allow');
    // …but not the keys, which ask for a passkey, even though they accept any action.
    const keys = await decide('keys.rotate', { stepUpToken: totp.body.token });
    expect(keys.body.decision).toBe('step_up');
    expect(keys.body.requirement).toMatchObject({
      methods: ['webauthn'],
      anyAction: true,
      restrictsMethods: true,
    });
    expect(keys.body.reasons.at(-1)).toMatchObject({
      code: 'token_rejected',
      values: { failure: 'method_not_allowed' },
    });
    expect(keys.body.challenge.methods).toEqual(['webauthn']);
    const audit = await ctx.admin('GET', '/v1/audit?user=tess&action=keys.rotate&decision=step_up');
    const record = audit.body.records.find(
      (r: { event: { decisionId: string } }) => r.event.decisionId === keys.body.decisionId,
    );
    expect(record.event.reasons).toContainEqual(
      expect.objectContaining({ code: 'token_rejected', values: { failure: 'method_not_allowed' } }),
    );
    // The passkey step-up the answer offers mints a token that names webauthn and opens the keys.
    const { response } = await assert(ctx, passkey, keys.body.challenge.id);
    const webauthn = await ctx.browser('POST', `/v1/challenges/${keys.body.challenge.id}/verify`, {
      method: 'webauthn',
      response,
    });
    expect(webauthn.status).toBe(200);
    expect(stepUpDetail(webauthn.body.token)).toMatchObject({ action: 'keys.rotate', method: 'webauthn' });
    const opened = await decide('keys.rotate', { stepUpToken: webauthn.body.token });
    expect(opened.body.decision).toBe('allow');
    // The accepted reason names the method, for the app to record in subject.methods.
    expect(opened.body.reasons.at(-1)).toMatchObject({
      code: 'token_accepted',
      values: { method: 'webauthn' },
    });
    expect((await decide('keys.list', { stepUpToken: webauthn.body.token })).body.decision).toBe('allow');
  });

  it('S24: an aal2 session meets the passkey-only policy only when subject.methods names webauthn', async () => {
    const aal2 = { acr: 'urn:stepgate:aal2' };
    expect((await decide('keys.rotate', {}, aal2)).body.decision).toBe('step_up');
    expect((await decide('keys.rotate', {}, { ...aal2, methods: ['totp'] })).body.decision).toBe('step_up');
    const met = await decide('keys.rotate', {}, { ...aal2, methods: ['webauthn'] });
    expect(met.body.decision).toBe('allow');
    expect(met.body.reasons).toContainEqual(expect.objectContaining({ code: 'requirement_met_by_session' }));
    // A policy without methods: the session's level is enough, as before.
    expect((await decide('reports.read', {}, aal2)).body.decision).toBe('allow');
  });

  it('S24: a token whose step-up entry names an unknown method is refused as malformed claims', async () => {
    const { token } = ctx.svc.tokens.mintStepUpToken({
      sub: 'tess',
      aud: ctx.svc.config.audiences[0]!,
      acr: 'urn:stepgate:aal2',
      amr: ['hwk', 'user', 'mfa'],
      authTime: Math.floor(ctx.clock() / 1000),
      sid: 's-tess',
      action: 'reports.read',
      digest: 'x'.repeat(43),
      method: 'passkey' as never,
    });
    const res = await decide('reports.read', { stepUpToken: token });
    expect(res.body.decision).toBe('step_up');
    expect(res.body.reasons.at(-1)).toMatchObject({
      code: 'token_rejected',
      values: { failure: 'bad_claims' },
    });
  });

  it('S24: an unknown method in subject.methods is a 400 invalid_request naming the field', async () => {
    const res = await decide('keys.rotate', {}, { acr: 'aal2', methods: ['passkey'] });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_request', path: '/body/subject/methods/0' });
    const twice = await decide('keys.rotate', {}, { acr: 'aal2', methods: ['webauthn', 'webauthn'] });
    expect(twice.status).toBe(400);
    expect(twice.body.error).toMatchObject({ code: 'invalid_request', path: '/body/subject/methods' });
  });
});
