import { describe, expect, it } from 'vitest';
import { lastCode, SMALL, startWithChallenges, transfer } from './challenge-helpers.js';

const HOUR = 3_600_000;
const rateLimits = { verifyPerIp: 10_000, verifyPerUser: 10_000, startPerIp: 10_000, startPerUser: 10_000 };

/** A service with a small lockout, and a user reachable by email and SMS. */
async function setup(lockout: Record<string, unknown>) {
  const ctx = await startWithChallenges({
    config: { challenges: { lifetime: '15m', lockout, rateLimits } },
  });
  await ctx.svc.store.upsertUser({
    id: 'lea',
    email: 'lea@example.com',
    phone: '+33611112222',
    updatedAt: ctx.clock(),
  });
  return ctx;
}
type Ctx = Awaited<ReturnType<typeof setup>>;

/** Outbox codes sent to an address so far. */
async function codesTo(ctx: Ctx, to: string): Promise<number> {
  const { body } = await ctx.admin('GET', `/v1/dev/outbox?to=${encodeURIComponent(to)}`);
  return body.messages.filter((m: { kind: string }) => m.kind === 'code').length;
}

/** `count` wrong emailed codes, each on a fresh challenge after the longest wait. */
async function failEmail(ctx: Ctx, count: number) {
  for (let i = 0; i < count; i++) {
    ctx.clock.advance(HOUR);
    const id = (await transfer(ctx, 'lea', SMALL)).challenge.id as string;
    await ctx.browser('POST', `/v1/challenges/${id}/start`, { method: 'email_otp' });
    const right = await lastCode(ctx, 'lea@example.com');
    const wrong = right === '000000' ? '111111' : '000000';
    const res = await ctx.browser('POST', `/v1/challenges/${id}/verify`, {
      method: 'email_otp',
      code: wrong,
    });
    expect(res.status).toBe(400);
  }
}

describe('a locked method in the challenge view (issue 19)', () => {
  it('after the lockout the view says email_otp is locked, start sends no code, and SMS stays open', async () => {
    const ctx = await setup({ authenticator: 3, backoff: { after: 3 } });
    await failEmail(ctx, 3);
    ctx.clock.advance(HOUR);
    const id = (await transfer(ctx, 'lea', SMALL)).challenge.id as string;
    const view = await ctx.browser('GET', `/v1/challenges/${id}`);
    expect(view.status).toBe(200);
    expect(view.body.methods).toEqual(
      expect.arrayContaining([
        { method: 'email_otp', destination: 'l***@example.com', lock: { state: 'locked' } },
        { method: 'sms_otp', destination: expect.any(String) },
      ]),
    );
    const sent = await codesTo(ctx, 'lea@example.com');
    const start = await ctx.browser('POST', `/v1/challenges/${id}/start`, { method: 'email_otp' });
    expect(start.status).toBe(400);
    expect(start.body.error.code).toBe('challenge_failed');
    expect(await codesTo(ctx, 'lea@example.com')).toBe(sent);
    const sms = await ctx.browser('POST', `/v1/challenges/${id}/start`, { method: 'sms_otp' });
    expect(sms.status).toBe(200);
    await ctx.svc.close();
  });

  it('during a back-off the view says until when, and start answers rate_limited with retryAfter', async () => {
    const ctx = await setup({ authenticator: 10, backoff: { after: 1, base: '30s', max: '1h' } });
    await failEmail(ctx, 1);
    const id = (await transfer(ctx, 'lea', SMALL)).challenge.id as string;
    const view = await ctx.browser('GET', `/v1/challenges/${id}`);
    const email = view.body.methods.find((m: { method: string }) => m.method === 'email_otp');
    expect(email.lock.state).toBe('waiting');
    const wait = Date.parse(email.lock.until) - ctx.clock();
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(30_000);
    const sent = await codesTo(ctx, 'lea@example.com');
    const start = await ctx.browser('POST', `/v1/challenges/${id}/start`, { method: 'email_otp' });
    expect(start.status).toBe(429);
    expect(start.body.error.retryAfter).toBe(Math.ceil(wait / 1000));
    expect(await codesTo(ctx, 'lea@example.com')).toBe(sent);
    ctx.clock.advance(wait);
    const later = await ctx.browser('GET', `/v1/challenges/${id}`);
    expect(later.body.methods.find((m: { method: string }) => m.method === 'email_otp').lock).toBeUndefined();
    await ctx.svc.close();
  });
});
