import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../src/index.js';
import { SMALL, startWithChallenges, transfer } from './challenge-helpers.js';

const SECRET = 'the-app-webhook-secret-0123456789abcdef';

describe('codes through the signed webhook sender', () => {
  const received: Array<{
    valid: boolean;
    /** Verified by the Standard Webhooks reference library, as an off-the-shelf receiver would. */
    standard: boolean;
    body: { message: { kind: string; to: string; code?: string; text: string } };
  }> = [];
  let status = 500;
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const valid = verifyWebhook({
      secret: SECRET,
      body: raw,
      timestamp: req.headers['stepgate-timestamp'] as string,
      signature: req.headers['stepgate-signature'] as string,
      now: Number(req.headers['stepgate-timestamp']),
    });
    let standard = false;
    // The service runs on the test clock (2030): the library checks the timestamp against Date.now.
    const realNow = Date.now;
    Date.now = () => Number(req.headers['webhook-timestamp']) * 1000;
    try {
      new Webhook(SECRET, { format: 'raw' }).verify(raw, {
        'webhook-id': req.headers['webhook-id'] as string,
        'webhook-timestamp': req.headers['webhook-timestamp'] as string,
        'webhook-signature': req.headers['webhook-signature'] as string,
      });
      standard = true;
    } catch {
    } finally {
      Date.now = realNow;
    }
    received.push({ valid, standard, body: JSON.parse(raw) });
    res.statusCode = status;
    res.end();
  });
  let ctx: Awaited<ReturnType<typeof startWithChallenges>>;

  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stepgate/messages`;
    ctx = await startWithChallenges({
      config: { senders: { sms: { type: 'webhook', url, secret: SECRET } } },
    });
  });
  afterAll(async () => {
    await ctx.svc.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('a failed delivery answers 503 and can be retried at once; the delivered code verifies', async () => {
    await ctx.call('PUT', '/v1/users/kim', { phone: '+33699998888' });
    const id = (await transfer(ctx, 'kim', SMALL)).challenge.id;
    const failed = await ctx.browser('POST', `/v1/challenges/${id}/start`, { method: 'sms_otp' });
    expect(failed.status).toBe(503);
    expect(failed.body.error.code).toBe('service_unavailable');
    status = 204;
    const sent = await ctx.browser('POST', `/v1/challenges/${id}/start`, { method: 'sms_otp' });
    expect(sent.body).toEqual({ sentTo: '•••• 8888', resendAfter: 30 });
    const last = received.at(-1)!;
    expect(last.valid).toBe(true);
    expect(last.standard).toBe(true);
    expect(last.body.message).toMatchObject({ kind: 'code', channel: 'sms', to: '+33699998888' });
    expect(last.body.message.text).toContain('600 EUR to Bob');
    const ok = await ctx.browser('POST', `/v1/challenges/${id}/verify`, {
      method: 'sms_otp',
      code: last.body.message.code,
    });
    expect(ok.body).toMatchObject({ acr: 'urn:stepgate:aal2', amr: ['sms', 'otp', 'mfa'] });
  });

  it('S32: no dev outbox when no sender is of type dev', async () => {
    expect((await ctx.admin('GET', '/v1/dev/outbox')).status).toBe(404);
  });
});
