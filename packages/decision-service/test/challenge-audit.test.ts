import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
import { freshDir } from './helpers.js';

describe('S27: challenge and factor events in the audit log', () => {
  const dataDir = freshDir();
  let ctx: Awaited<ReturnType<typeof startWithChallenges>>;
  beforeAll(async () => {
    ctx = await startWithChallenges({ dataDir });
  });
  afterAll(() => ctx.svc.close());

  it('records created, started, code sent, verified, failed, locked, expired, otp_replay and factor added — never a code, secret or token', async () => {
    const { secret } = await enrollTotp(ctx, 'ola');
    // The user has a factor: the operator's admin key adds the email without a step-up (S31).
    await ctx.admin('PUT', '/v1/users/ola', { email: 'ola@example.com' });
    // Email: created, started, code_sent, failed, verified.
    const a = (await transfer(ctx, 'ola', SMALL)).challenge.id;
    await ctx.browser('POST', `/v1/challenges/${a}/start`, { method: 'email_otp' });
    const code = await lastCode(ctx, 'ola@example.com');
    await ctx.browser('POST', `/v1/challenges/${a}/verify`, {
      method: 'email_otp',
      code: code === '000000' ? '111111' : '000000',
    });
    const ok = await ctx.browser('POST', `/v1/challenges/${a}/verify`, { method: 'email_otp', code });
    // TOTP: verified, then a replay on a new challenge.
    const b = (await transfer(ctx, 'ola', BIG)).challenge.id;
    const totp = totpCode(secret, ctx.clock());
    const ok2 = await ctx.browser('POST', `/v1/challenges/${b}/verify`, { method: 'totp', code: totp });
    const c = (await transfer(ctx, 'ola', BIG)).challenge.id;
    await ctx.browser('POST', `/v1/challenges/${c}/verify`, { method: 'totp', code: totp });
    // Five failures: locked (the challenge dies). Then an expired one.
    const d = (await transfer(ctx, 'ola', BIG)).challenge.id;
    for (let i = 0; i < 5; i++)
      await ctx.browser('POST', `/v1/challenges/${d}/verify`, { method: 'totp', code: '123456' });
    const e = (await transfer(ctx, 'ola', BIG)).challenge.id;
    ctx.clock.advance(301_000);
    await ctx.browser('POST', `/v1/challenges/${e}/verify`, {
      method: 'totp',
      code: totpCode(secret, ctx.clock()),
    });

    const { body } = await ctx.admin('GET', '/v1/audit?user=ola&limit=1000');
    const events = body.records.map((r: { event: Record<string, unknown> }) => r.event);
    const types = new Set(events.map((ev: { type: string }) => ev.type));
    for (const type of [
      'challenge.created',
      'challenge.started',
      'challenge.code_sent',
      'challenge.verified',
      'challenge.failed',
      'challenge.locked',
      'challenge.expired',
      'challenge.otp_replay',
      'factor.added',
    ]) {
      expect(types, type).toContain(type);
    }
    const verified = events.find(
      (ev: { type: string; challengeId: string }) => ev.type === 'challenge.verified' && ev.challengeId === b,
    );
    expect(verified).toMatchObject({
      who: { userId: 'ola', sessionId: 's-ola' },
      what: { method: 'totp', level: 'aal2' },
    });
    // Codes are checked as JSON strings: six digits alone may occur inside a timestamp.
    const secrets = [`"${code}"`, `"${totp}"`, secret, ok.body.token, ok2.body.token];
    const text = JSON.stringify(events);
    for (const s of secrets) expect(text.includes(s), 'in the API answer').toBe(false);
    for (const f of ['audit.db', 'audit.db-wal'].map((n) => join(dataDir, n)).filter(existsSync)) {
      const raw = readFileSync(f);
      for (const s of secrets) expect(raw.includes(Buffer.from(s)), `in ${f}`).toBe(false);
    }
  });
});
