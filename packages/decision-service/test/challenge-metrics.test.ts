/**
 * Issue 17 §4: /metrics counts challenges by stage and method, times their completion, counts
 * rate-limit hits and sender failures, and has stepgate_build_info; the process collectors keep
 * their standard unprefixed names. All driven through the real HTTP API.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../src/version.js';
import { lastCode, SMALL, startWithChallenges, transfer } from './challenge-helpers.js';

describe('challenge metrics', () => {
  const failing = createServer((_req, res) => {
    res.statusCode = 500;
    res.end();
  });
  let ctx: Awaited<ReturnType<typeof startWithChallenges>>;
  const scrape = async () => (await fetch(`${ctx.svc.url}/metrics`)).text();

  beforeAll(async () => {
    failing.listen(0, '127.0.0.1');
    await once(failing, 'listening');
    const url = `http://127.0.0.1:${(failing.address() as AddressInfo).port}/messages`;
    ctx = await startWithChallenges({
      config: {
        senders: {
          email: { type: 'dev' },
          sms: { type: 'webhook', url, secret: 'the-app-webhook-secret-0123456789abcdef' },
        },
      },
    });
    await ctx.call('PUT', '/v1/users/mia', { email: 'mia@example.com' });
    await ctx.call('PUT', '/v1/users/noa', { phone: '+33611112222' });
  });
  afterAll(async () => {
    await ctx.svc.close();
    await new Promise<void>((r) => failing.close(() => r()));
  });

  it('counts issued, started, failed and verified challenges by method and times the completion', async () => {
    const id = (await transfer(ctx, 'mia', SMALL)).challenge.id;
    expect((await ctx.browser('POST', `/v1/challenges/${id}/start`, { method: 'email_otp' })).status).toBe(
      200,
    );
    // A resend within 30 s is refused: a rate-limit hit.
    const again = await ctx.browser('POST', `/v1/challenges/${id}/start`, { method: 'email_otp' });
    expect(again.status).toBe(429);
    const wrong = await ctx.browser('POST', `/v1/challenges/${id}/verify`, {
      method: 'email_otp',
      code: '000000',
    });
    expect(wrong.status).toBe(400);
    ctx.clock.advance(12_000);
    const ok = await ctx.browser('POST', `/v1/challenges/${id}/verify`, {
      method: 'email_otp',
      code: await lastCode(ctx, 'mia@example.com'),
    });
    expect(ok.status).toBe(200);
    // An SMS code the webhook refuses: a sender failure.
    const sms = (await transfer(ctx, 'noa', SMALL)).challenge.id;
    expect((await ctx.browser('POST', `/v1/challenges/${sms}/start`, { method: 'sms_otp' })).status).toBe(
      503,
    );

    const text = await scrape();
    expect(text).toContain('stepgate_challenges_total{stage="issued",method="none"} 2');
    expect(text).toContain('stepgate_challenges_total{stage="started",method="email_otp"} 1');
    expect(text).toContain('stepgate_challenges_total{stage="failed",method="email_otp"} 1');
    expect(text).toContain('stepgate_challenges_total{stage="verified",method="email_otp"} 1');
    expect(text).toContain('stepgate_challenge_completion_seconds_bucket{le="10",method="email_otp"} 0');
    expect(text).toContain('stepgate_challenge_completion_seconds_bucket{le="15",method="email_otp"} 1');
    expect(text).toContain('stepgate_challenge_completion_seconds_sum{method="email_otp"} 12');
    expect(text).toContain('stepgate_rate_limit_hits_total{route="/v1/challenges/:id/start"} 1');
    expect(text).toContain('stepgate_sender_failures_total{channel="sms",sender="webhook"} 1');
  });

  it('has stepgate_build_info and the standard process metric names', async () => {
    const text = await scrape();
    expect(text).toContain(`stepgate_build_info{version="${VERSION}",node="${process.version}"} 1`);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes /m);
    expect(text).not.toContain('stepgate_process_');
    expect(text).not.toContain('stepgate_nodejs_');
  });
});
