import { createSecretKey } from 'node:crypto';
import { transactionDigest } from '@stepgate/protocol';
import { createLocalJWKSet, jwtVerify, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../src/index.js';
import { client, start, testClock } from './helpers.js';

const TRANSFER = { amount: 5000, currency: 'EUR', payee: 'FR7630006000011234567890189' };

describe('upgraded tokens on POST /v1/decisions', () => {
  const clock = testClock();
  let svc: RunningService;
  let call: ReturnType<typeof client>;
  let digest: string;
  const now = () => Math.floor(clock() / 1000);
  const mint = (over: Partial<Parameters<RunningService['tokens']['mintStepUpToken']>[0]> = {}) =>
    svc.tokens.mintStepUpToken({
      sub: 'alice',
      aud: svc.config.audiences[0]!,
      acr: 'urn:stepgate:aal2',
      amr: ['otp'],
      authTime: now(),
      sid: 's1',
      action: 'payments.transfer',
      digest,
      ...over,
    }).token;
  const decideWith = (
    token: string | undefined,
    over: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) =>
    call(
      'POST',
      '/v1/decisions',
      {
        subject: { id: 'alice', sessionId: 's1', acr: 'aal1' },
        action: { name: 'payments.transfer' },
        transaction: TRANSFER,
        ...(token === undefined ? {} : { stepUpToken: token }),
        ...over,
      },
      headers,
    );

  beforeAll(async () => {
    svc = await start({ clock });
    call = client(svc);
    await call('PUT', '/v1/users/alice', { phone: '+33612345678' });
    await call('PUT', '/v1/users/bob', { phone: '+33612345679' });
    digest = await transactionDigest({ action: 'payments.transfer', transaction: TRANSFER });
  });
  afterAll(() => svc.close());

  it('accepts a valid bound token once (S17), and refuses the second use', async () => {
    const token = mint();
    const first = await decideWith(token);
    expect(first.body.decision).toBe('allow');
    expect(first.body.reasons.map((r: { code: string }) => r.code)).toContain('token_accepted');
    const second = await decideWith(token);
    expect(second.body.decision).toBe('step_up');
    expect(second.body.reasons.at(-1)).toMatchObject({
      code: 'token_rejected',
      values: { failure: 'replayed' },
    });
  });

  it('S17: refuses a token on another amount, payee, session or user, without consuming it', async () => {
    const token = mint();
    const otherAmount = await decideWith(token, { transaction: { ...TRANSFER, amount: 5001 } });
    expect(otherAmount.body.decision).toBe('step_up');
    const otherPayee = await decideWith(token, {
      transaction: { ...TRANSFER, payee: 'DE89370400440532013000' },
    });
    expect(otherPayee.body.decision).toBe('step_up');
    const otherSession = await decideWith(token, { subject: { id: 'alice', sessionId: 's2' } });
    expect(otherSession.body.decision).toBe('step_up');
    const otherUser = await decideWith(token, { subject: { id: 'bob', sessionId: 's1' } });
    expect(otherUser.body.decision).toBe('step_up');
    // None of the mismatched presentations consumed it.
    expect((await decideWith(token)).body.decision).toBe('allow');
  });

  it('S17: a retry with the same Idempotency-Key gets the same answer and consumes nothing twice', async () => {
    const token = mint();
    const headers = { 'idempotency-key': 'retry-1' };
    const a = await decideWith(token, {}, headers);
    const b = await decideWith(token, {}, headers);
    expect(a.body.decision).toBe('allow');
    expect(b.body).toEqual(a.body);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    // A new key is a new request: the token is spent.
    const c = await decideWith(token, {}, { 'idempotency-key': 'retry-2' });
    expect(c.body.decision).toBe('step_up');
  });

  it('answers 409 conflict when an Idempotency-Key is reused with another body', async () => {
    const headers = { 'idempotency-key': 'k-conflict' };
    await decideWith(undefined, {}, headers);
    const res = await decideWith(undefined, { transaction: { amount: 2 } }, headers);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
  });

  it('S15: rejects alg none', async () => {
    const token = new UnsecuredJWT({ sub: 'alice', aud: svc.config.audiences[0]! })
      .setIssuer(svc.config.issuer)
      .encode();
    const res = await decideWith(token);
    expect(res.body.decision).toBe('step_up');
    expect(res.body.reasons.at(-1).values.failure).toBe('alg_not_allowed');
  });

  it('S15: rejects an HS256 token signed with the public key, and ignores jku/x5u', async () => {
    const jwks = (await call('GET', '/.well-known/jwks.json')).body;
    const publicJwkText = JSON.stringify(jwks.keys[0]);
    const claims = {
      sub: 'alice',
      acr: 'urn:stepgate:aal2',
      amr: ['otp'],
      auth_time: now(),
      sid: 's1',
      jti: 'x1',
    };
    const hs = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'stepup+jwt', kid: jwks.keys[0].kid })
      .setIssuer(svc.config.issuer)
      .setAudience(svc.config.audiences[0]!)
      .setIssuedAt(now())
      .setExpirationTime(now() + 60)
      .sign(createSecretKey(Buffer.from(publicJwkText)));
    expect((await decideWith(hs)).body.reasons.at(-1).values.failure).toBe('alg_not_allowed');
    // A token whose header points at an attacker's key set: the kid is unknown, jku is never fetched.
    const { generateKeyPair } = await import('jose');
    const attacker = await generateKeyPair('ES256');
    const forged = await new SignJWT({ ...claims, authorization_details: [] })
      .setProtectedHeader({
        alg: 'ES256',
        typ: 'stepup+jwt',
        kid: 'attacker',
        jku: 'http://127.0.0.1:1/jwks.json',
        x5u: 'http://127.0.0.1:1/x5u',
      })
      .setIssuer(svc.config.issuer)
      .setAudience(svc.config.audiences[0]!)
      .setIssuedAt(now())
      .setExpirationTime(now() + 60)
      .sign(attacker.privateKey);
    expect((await decideWith(forged)).body.reasons.at(-1).values.failure).toBe('unknown_kid');
  });

  it('S15: rejects a token with the wrong typ (a device token is not an upgraded token)', async () => {
    const { token } = await svc.tokens.mintDeviceToken({ sub: 'alice', deviceId: 'd1' });
    expect((await decideWith(token)).body.reasons.at(-1).values.failure).toBe('wrong_typ');
  });

  it('S16: checks iss, aud, exp and nbf with a small skew, and sub against the caller', async () => {
    const expired = mint();
    clock.advance((svc.config.tokens.lifetime + svc.config.tokens.clockSkew + 1) * 1000);
    expect((await decideWith(expired)).body.reasons.at(-1).values.failure).toBe('expired');
    expect((await decideWith(mint({ aud: 'another-app' }))).body.reasons.at(-1).values.failure).toBe(
      'wrong_audience',
    );
    expect((await decideWith(mint({ sub: 'bob' }))).body.reasons.at(-1).values.failure).toBe('wrong_subject');
    const keys = (await call('GET', '/.well-known/jwks.json')).body;
    expect(keys.keys).toHaveLength(1);
  });

  it('S2: a token below the required level does not satisfy it', async () => {
    const res = await decideWith(mint({ acr: 'urn:stepgate:aal1' }));
    expect(res.body.decision).toBe('step_up');
  });

  it('verifies independently with jose against the published JWKS', async () => {
    const token = mint();
    const jwks = createLocalJWKSet((await call('GET', '/.well-known/jwks.json')).body);
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: svc.config.issuer,
      audience: svc.config.audiences[0]!,
      typ: 'stepup+jwt',
      algorithms: ['ES256'],
      currentDate: new Date(clock()),
    });
    expect(protectedHeader.kid).toBeTruthy();
    expect(Object.keys(payload).sort()).toEqual(
      [
        'acr',
        'amr',
        'aud',
        'auth_time',
        'authorization_details',
        'exp',
        'iat',
        'iss',
        'jti',
        'sid',
        'sub',
      ].sort(),
    );
    expect(payload.authorization_details).toEqual([
      { type: 'urn:stepgate:step-up', action: 'payments.transfer', digest },
    ]);
  });
});
