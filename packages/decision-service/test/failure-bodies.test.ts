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

const HOUR = 3_600_000;

describe('S10: every failure of a code looks the same', () => {
  const lines: string[] = [];
  let ctx: Awaited<ReturnType<typeof startWithChallenges>>;
  beforeAll(async () => {
    const logger = createLogger(
      'info',
      new Writable({
        write(chunk, _enc, cb) {
          lines.push(String(chunk));
          cb();
        },
      }),
    );
    ctx = await startWithChallenges({
      logger,
      config: {
        challenges: {
          lifetime: '15m',
          codeLifetime: '1m',
          // Back-off from the 2nd failure, locked at the 3rd.
          lockout: { authenticator: 3, backoff: { after: 2 } },
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

  /** The raw answer of a verify. */
  async function verify(id: string, body: Record<string, unknown>) {
    const res = await fetch(`${ctx.svc.url}/v1/challenges/${id}/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, text: await res.text() };
  }
  const challenge = async (userId: string, txn = BIG) =>
    (await transfer(ctx, userId, txn)).challenge.id as string;
  const failure = (challengeId: string) =>
    lines
      .map((l) => JSON.parse(l))
      .filter((l) => l.event?.type === 'challenge.failed' && l.event.challengeId === challengeId)
      .map((l) => l.event.detail.failure);
  const withEmail = async (userId: string) => {
    await ctx.svc.store.upsertUser({ id: userId, email: `${userId}@example.com`, updatedAt: ctx.clock() });
  };

  it('S10: wrong, expired, replayed, never sent, another method, waiting and locked: one body, byte for byte; the audit keeps the cause', async () => {
    const answers: Record<string, { status: number; text: string }> = {};
    const causes: Record<string, string> = {};
    const record = async (cause: string, id: string, body: Record<string, unknown>) => {
      answers[cause] = await verify(id, body);
      causes[cause] = failure(id).at(-1);
    };

    // A wrong TOTP code.
    const amy = await enrollTotp(ctx, 'amy');
    await record('wrong_code', await challenge('amy'), {
      method: 'totp',
      code: totpCode(amy.secret, ctx.clock(), 7),
    });

    // A sent code past its lifetime, on a challenge still pending.
    await withEmail('bea');
    const expiredId = await challenge('bea', SMALL);
    await ctx.browser('POST', `/v1/challenges/${expiredId}/start`, { method: 'email_otp' });
    const beaCode = await lastCode(ctx, 'bea@example.com');
    ctx.clock.advance(61_000);
    await record('code_expired', expiredId, { method: 'email_otp', code: beaCode });

    // A TOTP step that was already accepted (RFC 6238 §5.2).
    const cal = await enrollTotp(ctx, 'cal');
    const code = totpCode(cal.secret, ctx.clock());
    expect((await verify(await challenge('cal'), { method: 'totp', code })).status).toBe(200);
    await record('otp_replay', await challenge('cal'), { method: 'totp', code });

    // A code when none was sent.
    await withEmail('dan');
    await record('no_code_sent', await challenge('dan', SMALL), { method: 'email_otp', code: '123456' });

    // A method the challenge does not allow (S24).
    await enrollTotp(ctx, 'eve');
    await withEmail('eve');
    const eveId = await challenge('eve');
    await record('method_not_allowed', eveId, { method: 'email_otp', code: '123456' });

    // An authenticator in its back-off (2 failures), then one locked (3), with the right code.
    const fay = await enrollTotp(ctx, 'fay');
    for (let i = 0; i < 2; i++) {
      ctx.clock.advance(HOUR);
      await verify(await challenge('fay'), { method: 'totp', code: totpCode(fay.secret, ctx.clock(), 7) });
    }
    await record('backoff', await challenge('fay'), {
      method: 'totp',
      code: totpCode(fay.secret, ctx.clock()),
    });
    ctx.clock.advance(HOUR);
    await verify(await challenge('fay'), { method: 'totp', code: totpCode(fay.secret, ctx.clock(), 7) });
    ctx.clock.advance(HOUR);
    await record('locked', await challenge('fay'), {
      method: 'totp',
      code: totpCode(fay.secret, ctx.clock()),
    });

    expect(causes).toEqual({
      wrong_code: 'wrong_code',
      code_expired: 'code_expired',
      otp_replay: 'otp_replay',
      no_code_sent: 'no_code_sent',
      method_not_allowed: 'method_not_allowed',
      backoff: 'backoff',
      locked: 'locked',
    });
    const texts = new Set(Object.values(answers).map((a) => `${a.status} ${a.text}`));
    expect([...texts]).toEqual([
      '400 {"error":{"code":"challenge_failed","message":"the challenge could not be verified","attemptsLeft":4}}',
    ]);
  });

  it('S10: a verified, failed, expired or unknown challenge answers the same body with attemptsLeft 0', async () => {
    const gus = await enrollTotp(ctx, 'gus');
    const verified = await challenge('gus');
    expect((await verify(verified, { method: 'totp', code: totpCode(gus.secret, ctx.clock()) })).status).toBe(
      200,
    );
    const failed = await challenge('gus');
    for (let i = 0; i < 5; i++) await verify(failed, { method: 'email_otp', code: '000000' });
    const expired = await challenge('gus');
    ctx.clock.advance(15 * 60_000 + 1000);
    const dead = {
      verified: await verify(verified, { method: 'totp', code: '123456' }),
      failed: await verify(failed, { method: 'totp', code: '123456' }),
      expired: await verify(expired, { method: 'totp', code: '123456' }),
      unknown: await verify('chl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', { method: 'totp', code: '123456' }),
    };
    const texts = new Set(Object.values(dead).map((a) => `${a.status} ${a.text}`));
    expect([...texts]).toEqual([
      '400 {"error":{"code":"challenge_failed","message":"the challenge could not be verified","attemptsLeft":0}}',
    ]);
    for (const id of [verified, failed, expired]) {
      expect((await ctx.browser('GET', `/v1/challenges/${id}`)).body.attemptsLeft).toBe(0);
    }
  });
});
