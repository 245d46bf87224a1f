import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import type { P256PublicJwk } from '@stepgate/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, session, startWebAuthnService, type WebAuthnCtx } from './webauthn-helpers.js';

/** A native app's device key: P-256, made "in the secure hardware". */
function deviceKey(): { privateKey: KeyObject; jwk: P256PublicJwk } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { x, y } = publicKey.export({ format: 'jwk' }) as P256PublicJwk;
  return { privateKey, jwk: { kty: 'EC', crv: 'P-256', x, y } };
}

/** What the native side does: sign the base64url challenge bytes of the `start` answer. */
const signChallenge = (key: KeyObject, challenge: string, dsaEncoding: 'der' | 'ieee-p1363' = 'der') =>
  sign('sha256', Buffer.from(challenge, 'base64url'), { key, dsaEncoding }).toString('base64url');

describe('native device keys and factor management over HTTP', () => {
  let ctx: WebAuthnCtx;
  const key = deviceKey();
  let keyId = '';
  let factorId = '';

  beforeAll(async () => {
    ctx = await startWebAuthnService('http://localhost:1');
  });
  afterAll(() => ctx?.svc.close());

  async function stepUp(
    challengeId: string,
    signer = key.privateKey,
    encoding: 'der' | 'ieee-p1363' = 'der',
  ) {
    const started = await ctx.browser('POST', `/v1/challenges/${challengeId}/start`, { method: 'biometric' });
    expect(started.status).toBe(200);
    const signature = signChallenge(signer, started.body.publicKey.challenge, encoding);
    const body = { method: 'biometric', deviceKey: { keyId, signature } };
    return { body, verify: () => ctx.browser('POST', `/v1/challenges/${challengeId}/verify`, body) };
  }

  it('registers a P-256 device key with a ticket and answers its keyId', async () => {
    const ticket = await ctx.call('POST', '/v1/enrollments', {
      userId: 'frank',
      subject: session('frank'),
      method: 'biometric',
    });
    const bad = await ctx.browser('POST', `/v1/enrollments/${ticket.body.ticket}/device-key`, {
      publicKey: { ...key.jwk, y: key.jwk.x },
      label: 'Pixel',
    });
    expect(bad.status).toBe(400);
    const added = await ctx.browser('POST', `/v1/enrollments/${ticket.body.ticket}/device-key`, {
      publicKey: key.jwk,
      label: 'Pixel',
    });
    expect(added.status).toBe(200);
    expect(added.body.keyId).toMatch(/^dk_/);
    expect(added.body.factor).toMatchObject({ method: 'biometric', maxLevel: 'aal2', label: 'Pixel' });
    keyId = added.body.keyId;
    factorId = added.body.factor.id;
    const again = await ctx.browser('POST', `/v1/enrollments/${ticket.body.ticket}/device-key`, {
      publicKey: key.jwk,
      label: 'Pixel',
    });
    expect(again.status).toBe(404);
  });

  it('S11: a device-key signature over the challenge bytes is accepted once; a replay is refused', async () => {
    const tx = { amount: 2000, currency: 'EUR', payee: 'Bob' };
    const d = await decide(ctx, 'frank', 'payments.transfer', tx);
    expect(d, JSON.stringify(d)).toHaveProperty('challenge');
    expect(d.challenge.methods).toEqual(['biometric']);
    const { body, verify } = await stepUp(d.challenge.id);
    const ok = await verify();
    expect(ok.status).toBe(200);
    expect(ok.body.amr).toEqual(['swk', 'user', 'mfa']);
    expect(ok.body.acr).toBe(ctx.svc.config.acrValues.aal2);
    expect((await decide(ctx, 'frank', 'payments.transfer', tx, ok.body.token)).decision).toBe('allow');
    const replay = await ctx.browser('POST', `/v1/challenges/${d.challenge.id}/verify`, body);
    expect(replay.status).toBe(400);
    // The same signature on a new challenge of the same transaction fails too: new nonce.
    const next = await decide(ctx, 'frank', 'payments.transfer', tx);
    await ctx.browser('POST', `/v1/challenges/${next.challenge.id}/start`, { method: 'biometric' });
    expect((await ctx.browser('POST', `/v1/challenges/${next.challenge.id}/verify`, body)).status).toBe(400);
  });

  it('a verified device-key signature sets the factor’s lastUsedAt in the factor list', async () => {
    ctx.clock.advance(60_000);
    const usedAt = ctx.clock();
    const d = await decide(ctx, 'frank', 'payments.transfer', {
      amount: 2200,
      currency: 'EUR',
      payee: 'Bob',
    });
    expect((await (await stepUp(d.challenge.id)).verify()).status).toBe(200);
    const factors = await ctx.call('GET', '/v1/users/frank/factors');
    expect(factors.body.factors).toEqual([
      expect.objectContaining({ id: factorId, lastUsedAt: new Date(usedAt).toISOString() }),
    ]);
  });

  it('accepts an IEEE P1363 signature; refuses another key and an unknown keyId', async () => {
    const tx = { amount: 3000, currency: 'EUR', payee: 'Bob' };
    const p1363 = await stepUp(
      (await decide(ctx, 'frank', 'payments.transfer', tx)).challenge.id,
      key.privateKey,
      'ieee-p1363',
    );
    expect((await p1363.verify()).status).toBe(200);
    const wrong = await stepUp(
      (await decide(ctx, 'frank', 'payments.transfer', tx)).challenge.id,
      deviceKey().privateKey,
    );
    const refused = await wrong.verify();
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'challenge_failed' });
  });

  it('S31: removing a factor needs a step-up to its level bound to that factor, and is announced', async () => {
    // The user has a factor: the operator's admin key adds the email without a step-up (S31).
    await ctx.admin('PUT', '/v1/users/frank', { email: 'frank@example.com' });
    const path = `/v1/users/frank/factors/${factorId}`;
    const gated = await ctx.call('DELETE', path, { subject: session('frank') });
    expect(gated.status).toBe(200);
    expect(gated.body).toMatchObject({
      decision: 'step_up',
      requirement: { level: 'aal2', methods: ['biometric'] },
    });
    // A token of another step-up (a transfer) does not remove the factor.
    const tx = { amount: 2500, currency: 'EUR', payee: 'Bob' };
    const other = await (
      await stepUp((await decide(ctx, 'frank', 'payments.transfer', tx)).challenge.id)
    ).verify();
    const refused = await ctx.call('DELETE', path, {
      subject: session('frank'),
      stepUpToken: other.body.token,
    });
    expect(refused.body.decision).toBe('step_up');
    const token = (await (await stepUp(gated.body.challenge.id)).verify()).body.token;
    const removed = await ctx.call('DELETE', path, { subject: session('frank'), stepUpToken: token });
    expect(removed.status).toBe(200);
    expect(removed.body.removed).toMatchObject({ id: factorId, method: 'biometric' });
    expect((await ctx.call('GET', '/v1/users/frank/factors')).body.factors).toEqual([]);
    const outbox = await ctx.admin('GET', '/v1/dev/outbox?to=frank@example.com');
    expect(outbox.body.messages.map((m: { kind: string }) => m.kind)).toContain('factor_removed');
    const audit = await ctx.admin('GET', '/v1/audit?user=frank&type=factor.removed');
    expect(audit.body.records.map((r: { event: object }) => r.event)).toEqual([
      expect.objectContaining({ factorId, what: expect.objectContaining({ method: 'biometric' }) }),
    ]);
    const twice = await ctx.call('DELETE', path, { subject: session('frank'), stepUpToken: token });
    expect(twice.status).toBe(404);
  });

  it('S31: an aal1 session alone cannot add a factor to an account that has one', async () => {
    const res = await ctx.call('POST', '/v1/enrollments', {
      userId: 'frank',
      subject: session('frank'),
      method: 'webauthn',
    });
    expect(res.body.decision).toBe('step_up');
  });
});
