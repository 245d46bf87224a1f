import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/index.js';
import {
  BIG,
  enrollTotp,
  lastCode,
  SMALL,
  startWithChallenges,
  totpCode,
  transfer,
} from './challenge-helpers.js';

/** A factor's view as `GET /v1/users/{id}/factors` answers it. */
async function listedFactor(
  ctx: Awaited<ReturnType<typeof startWithChallenges>>,
  userId: string,
  id: string,
) {
  const list = await ctx.call('GET', `/v1/users/${userId}/factors`);
  expect(list.status).toBe(200);
  return (list.body.factors as Array<{ id: string; lastUsedAt?: string }>).find((f) => f.id === id);
}

describe('a factor’s lastUsedAt over HTTP', () => {
  const lines: string[] = [];
  let ctx: Awaited<ReturnType<typeof startWithChallenges>>;
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    ctx = await startWithChallenges({ logger: createLogger('info', sink) });
  });
  afterAll(() => ctx.svc.close());

  it('a verified TOTP challenge sets the factor’s lastUsedAt in the factor list; a wrong code does not', async () => {
    const { secret, factorId } = await enrollTotp(ctx, 'lena');
    expect(await listedFactor(ctx, 'lena', factorId)).not.toHaveProperty('lastUsedAt');
    const id = (await transfer(ctx, 'lena', BIG)).challenge.id as string;
    const verify = (code: string) =>
      ctx.browser('POST', `/v1/challenges/${id}/verify`, { method: 'totp', code });
    expect((await verify(totpCode(secret, ctx.clock(), 5))).status).toBe(400);
    expect(await listedFactor(ctx, 'lena', factorId)).not.toHaveProperty('lastUsedAt');
    const usedAt = ctx.clock();
    expect((await verify(totpCode(secret, usedAt))).status).toBe(200);
    ctx.clock.advance(60_000);
    expect((await listedFactor(ctx, 'lena', factorId))?.lastUsedAt).toBe(new Date(usedAt).toISOString());
  });

  it('an emailed code touches no factor: the user’s TOTP keeps its lastUsedAt', async () => {
    const { secret, factorId } = await enrollTotp(ctx, 'milo');
    // The user has a factor: the operator's admin key adds the email without a step-up (S31).
    await ctx.admin('PUT', '/v1/users/milo', { email: 'milo@example.com' });
    const first = (await transfer(ctx, 'milo', BIG)).challenge.id as string;
    const totpAt = ctx.clock();
    const viaTotp = await ctx.browser('POST', `/v1/challenges/${first}/verify`, {
      method: 'totp',
      code: totpCode(secret, totpAt),
    });
    expect(viaTotp.status).toBe(200);
    ctx.clock.advance(60_000);
    const small = await transfer(ctx, 'milo', SMALL);
    expect(small.challenge.methods).toContain('email_otp');
    await ctx.browser('POST', `/v1/challenges/${small.challenge.id}/start`, { method: 'email_otp' });
    const viaEmail = await ctx.browser('POST', `/v1/challenges/${small.challenge.id}/verify`, {
      method: 'email_otp',
      code: await lastCode(ctx, 'milo@example.com'),
    });
    expect(viaEmail.status).toBe(200);
    expect((await listedFactor(ctx, 'milo', factorId))?.lastUsedAt).toBe(new Date(totpAt).toISOString());
  });

  it('a store that fails to record the use does not fail the verification: it is logged', async () => {
    const { secret, factorId } = await enrollTotp(ctx, 'nina');
    const store = ctx.svc.store;
    const touchFactor = store.touchFactor;
    store.touchFactor = async () => {
      throw new Error('disk I/O error');
    };
    try {
      const id = (await transfer(ctx, 'nina', BIG)).challenge.id as string;
      const ok = await ctx.browser('POST', `/v1/challenges/${id}/verify`, {
        method: 'totp',
        code: totpCode(secret, ctx.clock()),
      });
      expect(ok.status).toBe(200);
      expect((await transfer(ctx, 'nina', BIG, { stepUpToken: ok.body.token })).decision).toBe('allow');
    } finally {
      store.touchFactor = touchFactor;
    }
    expect(await listedFactor(ctx, 'nina', factorId)).not.toHaveProperty('lastUsedAt');
    const warning = lines
      .map((l) => JSON.parse(l))
      .find((l) => l.msg === 'could not record when the factor was last used');
    expect(warning).toMatchObject({
      level: 40,
      userId: 'nina',
      factorId,
      err: { message: 'disk I/O error' },
    });
  });
});
