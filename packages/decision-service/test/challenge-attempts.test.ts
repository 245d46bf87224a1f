import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/index.js';
import { SqliteChallengeStore } from '../src/stores/sqlite/sqlite-challenge-store.js';
import { SqliteStore } from '../src/stores/sqlite/sqlite-store.js';
import {
  BIG,
  enrollTotp,
  lastCode,
  SMALL,
  startWithChallenges,
  totpCode,
  transfer,
} from './challenge-helpers.js';
import { freshDir } from './helpers.js';

/** Reads the challenge store of a running service's data directory through a second connection. */
async function counters(dataDir: string, keys: string[]) {
  const main = new SqliteStore({ file: join(dataDir, 'stepgate.db') });
  const result = await new SqliteChallengeStore(main.db).readCounters(keys);
  await main.close();
  return result;
}

describe('attempt limits, single use and sent codes', () => {
  const lines: string[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    }),
  );
  const dataDir = freshDir();
  let ctx: Awaited<ReturnType<typeof startWithChallenges>>;
  beforeAll(async () => {
    ctx = await startWithChallenges({
      dataDir,
      logger,
      config: {
        challenges: {
          lifetime: '15m',
          // No back-off before the cap here: these tests count attempts, the lockout tests wait.
          lockout: { authenticator: 100, user: 100, backoff: { after: 100 } },
          rateLimits: {
            verifyPerIp: 10_000,
            verifyPerUser: 10_000,
            startPerIp: 10_000,
            startPerUser: 10_000,
          },
        },
      },
    });
  });
  afterAll(() => ctx.svc.close());

  it('S6: 50 parallel submissions of one valid code give exactly one success', async () => {
    const { secret } = await enrollTotp(ctx, 'ann');
    const id = (await transfer(ctx, 'ann', BIG)).challenge.id;
    const code = totpCode(secret, ctx.clock());
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        ctx.browser('POST', `/v1/challenges/${id}/verify`, { method: 'totp', code }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 400 && r.body.error.code === 'challenge_failed')).toHaveLength(
      49,
    );
  });

  it('S6: a code is accepted once; after T is accepted, T−1 is rejected and logged as otp_replay', async () => {
    const { secret } = await enrollTotp(ctx, 'ben');
    const verify = async (code: string) => {
      const id = (await transfer(ctx, 'ben', BIG)).challenge.id;
      return ctx.browser('POST', `/v1/challenges/${id}/verify`, { method: 'totp', code });
    };
    expect((await verify(totpCode(secret, ctx.clock()))).status).toBe(200);
    const again = await verify(totpCode(secret, ctx.clock()));
    expect(again.body.error.code).toBe('challenge_failed');
    expect((await verify(totpCode(secret, ctx.clock(), -1))).body.error.code).toBe('challenge_failed');
    expect(lines.filter((l) => l.includes('"challenge.otp_replay"'))).toHaveLength(2);
    expect((await verify(totpCode(secret, ctx.clock(), 1))).status).toBe(200);
  });

  it('S7: 100 concurrent wrong guesses over fresh challenges add exactly 100; X-Forwarded-For and a new challenge change nothing', async () => {
    const { secret, factorId } = await enrollTotp(ctx, 'cid');
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) ids.push((await transfer(ctx, 'cid', BIG)).challenge.id);
    const wrong = totpCode(secret, ctx.clock(), 7);
    const results = await Promise.all(
      ids.map((id, i) =>
        ctx.browser(
          'POST',
          `/v1/challenges/${id}/verify`,
          { method: 'totp', code: wrong },
          { 'x-forwarded-for': `198.51.100.${i}` },
        ),
      ),
    );
    expect(results.every((r) => r.body.error.code === 'challenge_failed')).toBe(true);
    const key = `factor:${factorId}`;
    expect((await counters(dataDir, [key, 'user:cid']))[key]?.failures).toBe(100);
    // The authenticator is now locked (limit 100): even the right code fails on a new challenge,
    // and the refused attempt is not counted (S35).
    const fresh = (await transfer(ctx, 'cid', BIG)).challenge.id;
    const locked = await ctx.browser(
      'POST',
      `/v1/challenges/${fresh}/verify`,
      { method: 'totp', code: totpCode(secret, ctx.clock()) },
      { 'x-forwarded-for': '203.0.113.99' },
    );
    expect(locked.body.error).toMatchObject({ code: 'challenge_failed', attemptsLeft: 4 });
    expect((await counters(dataDir, [key]))[key]?.failures).toBe(100);
  });

  it('S8: a code from challenge A fails on B, fails at 10 min + 1 s, and the old code fails after a resend', async () => {
    await ctx.call('PUT', '/v1/users/dee', { email: 'dee@example.com', phone: '+33611112222' });
    const open = async () => (await transfer(ctx, 'dee', SMALL)).challenge.id as string;
    const start = (id: string, method = 'email_otp') =>
      ctx.browser('POST', `/v1/challenges/${id}/start`, { method });
    const verify = (id: string, code: string, method = 'email_otp') =>
      ctx.browser('POST', `/v1/challenges/${id}/verify`, { method, code });
    const a = await open();
    const b = await open();
    await start(a);
    const codeA = await lastCode(ctx, 'dee@example.com');
    await start(b);
    const codeB = await lastCode(ctx, 'dee@example.com');
    if (codeA !== codeB) expect((await verify(b, codeA)).status).toBe(400);
    // Expiry: valid just before 10 min, refused at 10 min + 1 s.
    const early = await open();
    await start(early);
    const earlyCode = await lastCode(ctx, 'dee@example.com');
    ctx.clock.advance(600_000 - 1000);
    expect((await verify(early, earlyCode)).status).toBe(200);
    const c = await open();
    await start(c);
    const codeC = await lastCode(ctx, 'dee@example.com');
    ctx.clock.advance(600_000 + 1000);
    expect((await verify(c, codeC)).body.error.code).toBe('challenge_failed');
    // Resend: only after the cooldown, and it invalidates the previous code.
    const d = await open();
    await start(d, 'sms_otp');
    const first = await lastCode(ctx, '+33611112222');
    const tooSoon = await start(d, 'sms_otp');
    expect(tooSoon.status).toBe(429);
    expect(tooSoon.body.error).toMatchObject({ code: 'rate_limited', retryAfter: 30 });
    ctx.clock.advance(31_000);
    expect((await start(d, 'sms_otp')).status).toBe(200);
    const second = await lastCode(ctx, '+33611112222');
    if (first !== second) expect((await verify(d, first, 'sms_otp')).status).toBe(400);
    expect((await verify(d, second, 'sms_otp')).status).toBe(200);
    // The store holds no code, in any form a reader could use.
    const raw = readFileSync(join(dataDir, 'stepgate.db')).toString('latin1');
    const walFile = join(dataDir, 'stepgate.db-wal');
    const wal = existsSync(walFile) ? readFileSync(walFile).toString('latin1') : '';
    for (const code of [codeA, codeB, codeC, first, second]) {
      expect(raw.includes(code) || wal.includes(code)).toBe(false);
    }
    expect(lines.join('').includes(second)).toBe(false);
  });
});

describe('S8: the resend cooldown', () => {
  it('S8, S37: 10 parallel starts send exactly one code; the others get 429 rate_limited with retryAfter', async () => {
    const ctx = await startWithChallenges({
      config: { challenges: { rateLimits: { startPerIp: 1000, startPerUser: 1000 } } },
    });
    await ctx.call('PUT', '/v1/users/ida', { phone: '+33644445555' });
    const id = (await transfer(ctx, 'ida', SMALL)).challenge.id;
    const starts = await Promise.all(
      Array.from({ length: 10 }, () =>
        ctx.browser('POST', `/v1/challenges/${id}/start`, { method: 'sms_otp' }),
      ),
    );
    expect(starts.filter((s) => s.status === 200)).toHaveLength(1);
    const refused = starts.filter((s) => s.status !== 200);
    expect(refused).toHaveLength(9);
    for (const r of refused) {
      expect(r.status).toBe(429);
      expect(r.body.error).toMatchObject({ code: 'rate_limited', retryAfter: 30 });
    }
    const { body } = await ctx.admin('GET', `/v1/dev/outbox?to=${encodeURIComponent('+33644445555')}`);
    expect(body.messages.filter((m: { kind: string }) => m.kind === 'code')).toHaveLength(1);
    // After the cooldown, a resend is claimed again.
    ctx.clock.advance(30_000);
    expect((await ctx.browser('POST', `/v1/challenges/${id}/start`, { method: 'sms_otp' })).status).toBe(200);
    await ctx.svc.close();
  });
});

describe('rate limits on start and verify', () => {
  it('answers 429 rate_limited with Retry-After per IP and per user', async () => {
    const ctx = await startWithChallenges({
      config: { challenges: { rateLimits: { verifyPerIp: 3, startPerUser: 2, window: 60 } } },
    });
    await ctx.call('PUT', '/v1/users/eve', { email: 'eve@example.com' });
    const id = (await transfer(ctx, 'eve', SMALL)).challenge.id;
    const starts = [];
    for (let i = 0; i < 3; i++) {
      starts.push(await ctx.browser('POST', `/v1/challenges/${id}/start`, { method: 'totp' }));
    }
    // totp is not one of eve's methods, but the per-user limit counts every start.
    expect(starts.map((s) => s.status)).toEqual([400, 400, 429]);
    expect(starts[2]!.headers.get('retry-after')).toMatch(/^\d+$/);
    const verifies = [];
    for (let i = 0; i < 4; i++) {
      verifies.push(
        await ctx.browser('POST', `/v1/challenges/${id}/verify`, { method: 'email_otp', code: '123456' }),
      );
    }
    expect(verifies.map((v) => v.status)).toEqual([400, 400, 400, 429]);
    expect(verifies[3]!.body.error.code).toBe('rate_limited');
    // Through the app's proxy (API key), the browser's IP comes from Stepgate-Client-IP: another
    // browser is not limited by the first one's requests; a bare X-Forwarded-For changes nothing.
    const viaProxy = await ctx.call(
      'POST',
      `/v1/challenges/${id}/verify`,
      { method: 'email_otp', code: '123456' },
      {
        'stepgate-client-ip': '198.51.100.77',
      },
    );
    expect(viaProxy.status).toBe(400);
    const spoofed = await ctx.browser(
      'POST',
      `/v1/challenges/${id}/verify`,
      { method: 'email_otp', code: '123456' },
      {
        'x-forwarded-for': '198.51.100.78',
      },
    );
    expect(spoofed.status).toBe(429);
    await ctx.svc.close();
  });
});
