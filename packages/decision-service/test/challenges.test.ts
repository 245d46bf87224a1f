import { challengeViewSchema, verifyAnswerSchema } from '@stepgate/protocol';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIG,
  enrollTotp,
  lastCode,
  SMALL,
  startWithChallenges,
  totpCode,
  transfer,
} from './challenge-helpers.js';

const ajv = new Ajv({ strict: false });
addFormats.default(ajv);

describe('challenges over HTTP', () => {
  let ctx: Awaited<ReturnType<typeof startWithChallenges>>;
  beforeAll(async () => {
    ctx = await startWithChallenges();
  });
  afterAll(() => ctx.svc.close());

  it('a full step-up with TOTP ends in a token that POST /v1/decisions accepts once', async () => {
    const { secret } = await enrollTotp(ctx, 'tara');
    const verdict = await transfer(ctx, 'tara', BIG);
    expect(verdict.decision).toBe('step_up');
    expect(verdict.challenge.methods).toEqual(['totp']);
    const id = verdict.challenge.id as string;
    expect(Buffer.from(id.slice(4), 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    const view = await ctx.browser('GET', `/v1/challenges/${id}`);
    expect(view.status).toBe(200);
    expect(ajv.validate(challengeViewSchema, view.body)).toBe(true);
    expect(view.body).toMatchObject({
      status: 'pending',
      action: 'payments.transfer',
      transaction: BIG,
      level: 'aal2',
      attemptsLeft: 5,
    });
    expect((await ctx.browser('POST', `/v1/challenges/${id}/start`, { method: 'totp' })).body).toEqual({});
    const ok = await ctx.browser('POST', `/v1/challenges/${id}/verify`, {
      method: 'totp',
      code: totpCode(secret, ctx.clock()),
    });
    expect(ok.status).toBe(200);
    expect(ajv.validate(verifyAnswerSchema, ok.body)).toBe(true);
    expect(ok.body).toMatchObject({ acr: 'urn:stepgate:aal2', amr: ['otp', 'mfa'] });
    const claims = decodeJwt(ok.body.token);
    expect(claims).toMatchObject({ sub: 'tara', sid: 's-tara', acr: 'urn:stepgate:aal2' });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBeLessThanOrEqual(300);
    expect(claims.authorization_details).toEqual([
      {
        type: 'urn:stepgate:step-up',
        action: 'payments.transfer',
        digest: expect.any(String),
        method: 'totp',
      },
    ]);
    expect((await ctx.browser('GET', `/v1/challenges/${id}`)).body.status).toBe('verified');
    const first = await transfer(ctx, 'tara', BIG, { stepUpToken: ok.body.token });
    expect(first.decision).toBe('allow');
    const second = await transfer(ctx, 'tara', BIG, { stepUpToken: ok.body.token });
    expect(second.decision).toBe('step_up');
  });

  it('a full step-up with an email code (dev outbox) ends in a token accepted once; S3: it is aal1', async () => {
    await ctx.call('PUT', '/v1/users/erin', { email: 'erin@example.com' });
    const verdict = await transfer(ctx, 'erin', SMALL);
    expect(verdict.challenge.methods).toEqual(['email_otp']);
    const id = verdict.challenge.id as string;
    expect((await ctx.browser('GET', `/v1/challenges/${id}`)).body.methods).toEqual([
      { method: 'email_otp', destination: 'e***@example.com' },
    ]);
    const start = await ctx.browser('POST', `/v1/challenges/${id}/start`, { method: 'email_otp' });
    expect(start.body).toEqual({ sentTo: 'e***@example.com', resendAfter: 30 });
    const { body: outbox } = await ctx.admin('GET', '/v1/dev/outbox?to=erin%40example.com');
    expect(outbox.messages.at(-1).text).toContain('600 EUR to Bob');
    const ok = await ctx.browser('POST', `/v1/challenges/${id}/verify`, {
      method: 'email_otp',
      code: await lastCode(ctx, 'erin@example.com'),
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ acr: 'urn:stepgate:aal1', amr: ['otp'] });
    expect((await transfer(ctx, 'erin', SMALL, { stepUpToken: ok.body.token })).decision).toBe('allow');
    expect((await transfer(ctx, 'erin', SMALL, { stepUpToken: ok.body.token })).decision).toBe('step_up');
    // S3: the emailed code is not a second factor: a transfer that needs aal2 is not met by it.
    await ctx.svc.store.insertFactor({
      id: 'fac_erin_totp',
      userId: 'erin',
      method: 'totp',
      maxLevel: 'aal2',
      createdAt: 0,
    });
    const big = await transfer(ctx, 'erin', BIG);
    expect(big.requirement.level).toBe('aal2');
    expect(big.challenge.methods).not.toContain('email_otp');
  });

  it('S2: after a TOTP step-up, an action that needs aal3 still gets step_up', async () => {
    const { secret } = await enrollTotp(ctx, 'sam');
    await ctx.svc.store.insertFactor({
      id: 'fac_sam_key',
      userId: 'sam',
      method: 'webauthn',
      maxLevel: 'aal3',
      createdAt: 0,
    });
    const id = (await transfer(ctx, 'sam', BIG)).challenge.id;
    const ok = await ctx.browser('POST', `/v1/challenges/${id}/verify`, {
      method: 'totp',
      code: totpCode(secret, ctx.clock()),
    });
    expect(ok.body.acr).toBe('urn:stepgate:aal2');
    const admin = await ctx.call('POST', '/v1/decisions', {
      subject: { id: 'sam', sessionId: 's-sam', acr: 'aal1' },
      action: { name: 'admin.keys.rotate' },
      stepUpToken: ok.body.token,
    });
    expect(admin.body.decision).toBe('step_up');
    expect(admin.body.requirement.level).toBe('aal3');
    expect(admin.body.challenge.methods).toEqual(['webauthn']);
  });

  it('returns a remembered-device token after TOTP when asked, bound to the user and device; never after an email code', async () => {
    const { secret } = await enrollTotp(ctx, 'rex');
    // The user has a factor: the operator's admin key adds the email without a step-up (S31).
    await ctx.admin('PUT', '/v1/users/rex', { email: 'rex@example.com' });
    const device = { v: 1, deviceId: 'dev-rex', fingerprint: 'fp-rex', signals: { tz: 'Europe/Paris' } };
    const big = await transfer(ctx, 'rex', BIG, { context: { device } });
    const ok = await ctx.browser('POST', `/v1/challenges/${big.challenge.id}/verify`, {
      method: 'totp',
      code: totpCode(secret, ctx.clock()),
      rememberDevice: true,
    });
    expect(ok.body.deviceToken).toEqual(expect.any(String));
    expect((await ctx.svc.tokens.verifyDeviceToken(ok.body.deviceToken, 'rex', 'dev-rex')).ok).toBe(true);
    expect((await ctx.svc.tokens.verifyDeviceToken(ok.body.deviceToken, 'tara', 'dev-rex')).ok).toBe(false);
    const small = await transfer(ctx, 'rex', SMALL, { context: { device } });
    await ctx.browser('POST', `/v1/challenges/${small.challenge.id}/start`, { method: 'email_otp' });
    const viaEmail = await ctx.browser('POST', `/v1/challenges/${small.challenge.id}/verify`, {
      method: 'email_otp',
      code: await lastCode(ctx, 'rex@example.com'),
      rememberDevice: true,
    });
    expect(viaEmail.status).toBe(200);
    expect(viaEmail.body.deviceToken).toBeUndefined();
  });

  it('S10: wrong, expired, used and unknown all answer the same challenge_failed', async () => {
    const { secret } = await enrollTotp(ctx, 'uma');
    const verify = (id: string, code: string) =>
      ctx.browser('POST', `/v1/challenges/${id}/verify`, { method: 'totp', code });
    const a = (await transfer(ctx, 'uma', BIG)).challenge.id;
    const wrong = await verify(a, totpCode(secret, ctx.clock(), 5));
    const ok = await verify(a, totpCode(secret, ctx.clock()));
    expect(ok.status).toBe(200);
    const used = await verify(a, totpCode(secret, ctx.clock()));
    const unknown = await verify('chl_AAAAAAAAAAAAAAAAAAAAAAAAAAA', totpCode(secret, ctx.clock()));
    const b = (await transfer(ctx, 'uma', BIG)).challenge.id;
    ctx.clock.advance(301_000);
    const expired = await verify(b, totpCode(secret, ctx.clock()));
    for (const res of [wrong, used, unknown, expired]) {
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.error).sort()).toEqual(['attemptsLeft', 'code', 'message']);
      expect(res.body.error.code).toBe('challenge_failed');
      expect(res.body.error.message).toBe(wrong.body.error.message);
    }
    expect(wrong.body.error.attemptsLeft).toBe(4);
    expect((await ctx.browser('GET', `/v1/challenges/${b}`)).body.status).toBe('expired');
  });

  it('S26: after 5 failures the challenge dies; the step-up restarts with a new challenge', async () => {
    const { secret } = await enrollTotp(ctx, 'vic');
    const id = (await transfer(ctx, 'vic', BIG)).challenge.id;
    const lefts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await ctx.browser('POST', `/v1/challenges/${id}/verify`, {
        method: 'totp',
        code: '000000',
      });
      lefts.push(res.body.error.attemptsLeft);
    }
    expect(lefts).toEqual([4, 3, 2, 1, 0]);
    const good = await ctx.browser('POST', `/v1/challenges/${id}/verify`, {
      method: 'totp',
      code: totpCode(secret, ctx.clock()),
    });
    expect(good.body.error).toMatchObject({ code: 'challenge_failed', attemptsLeft: 0 });
    expect((await ctx.browser('GET', `/v1/challenges/${id}`)).body.status).toBe('failed');
    // No token without a verified challenge; a new decision opens a new challenge that works
    // once the authenticator's back-off after 5 failures (30 s, S35) has passed.
    ctx.clock.advance(30_000);
    const next = (await transfer(ctx, 'vic', BIG)).challenge.id;
    expect(next).not.toBe(id);
    const ok = await ctx.browser('POST', `/v1/challenges/${next}/verify`, {
      method: 'totp',
      code: totpCode(secret, ctx.clock()),
    });
    expect(ok.status).toBe(200);
  });

  it('S24: a method the challenge does not allow is rejected', async () => {
    const { secret } = await enrollTotp(ctx, 'wes');
    // The user has a factor: the operator's admin key adds the email without a step-up (S31).
    await ctx.admin('PUT', '/v1/users/wes', { email: 'wes@example.com' });
    const verdict = await transfer(ctx, 'wes', BIG);
    expect(verdict.challenge.methods).toEqual(['totp']);
    const id = verdict.challenge.id;
    const start = await ctx.browser('POST', `/v1/challenges/${id}/start`, { method: 'email_otp' });
    expect(start.body.error.code).toBe('challenge_failed');
    const verify = await ctx.browser('POST', `/v1/challenges/${id}/verify`, {
      method: 'email_otp',
      code: '123456',
    });
    expect(verify.body.error.code).toBe('challenge_failed');
    expect(
      (
        await ctx.browser('POST', `/v1/challenges/${id}/verify`, {
          method: 'totp',
          code: totpCode(secret, ctx.clock()),
        })
      ).status,
    ).toBe(200);
  });

  it('rejects unknown members and malformed bodies (S30) and answers CORS only for the app on browser routes', async () => {
    const { secret } = await enrollTotp(ctx, 'xia');
    const id = (await transfer(ctx, 'xia', BIG)).challenge.id;
    const extra = await ctx.browser('POST', `/v1/challenges/${id}/verify`, {
      method: 'totp',
      code: totpCode(secret, ctx.clock()),
      admin: true,
    });
    expect(extra.status).toBe(400);
    expect(extra.body.error.code).toBe('invalid_request');
    expect((await ctx.browser('POST', `/v1/challenges/${id}/start`, { method: 'sms' })).body.error.code).toBe(
      'invalid_request',
    );
    const preflight = (path: string, origin: string) =>
      fetch(`${ctx.svc.url}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const ok = await preflight(`/v1/challenges/${id}/verify`, 'https://bank.example');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://bank.example');
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
    const evil = await preflight(`/v1/challenges/${id}/verify`, 'https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const server = await preflight('/v1/decisions', 'https://bank.example');
    expect(server.headers.get('access-control-allow-origin')).toBeNull();
    const get = await ctx.browser('GET', `/v1/challenges/${id}`, undefined, {
      origin: 'https://bank.example',
    });
    expect(get.headers.get('access-control-allow-origin')).toBe('https://bank.example');
  });
});
