import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutgoingMessage } from './sender.js';
import { signWebhook, verifyWebhook, WebhookSender } from './webhook-sender.js';

const SECRET = 'a-webhook-secret-of-at-least-32-characters';
const MESSAGE: OutgoingMessage = {
  kind: 'code',
  channel: 'sms',
  to: '+33612345678',
  userId: 'u1',
  subject: 'Your verification code',
  text: '123456 is your code',
  code: '123456',
};

describe('WebhookSender', () => {
  let server: Server;
  let url: string;
  let status = 204;
  const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      received.push({ headers: req.headers, body });
      res.statusCode = status;
      res.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stepgate/messages`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('posts the message as JSON signed with HMAC-SHA-256 over timestamp and body', async () => {
    const now = Date.UTC(2030, 0, 1);
    await new WebhookSender({ type: 'webhook', url, secret: SECRET }, () => now).send(MESSAGE);
    const { headers, body } = received.at(-1)!;
    expect(headers['content-type']).toBe('application/json');
    expect(headers['stepgate-timestamp']).toBe(String(now / 1000));
    expect(headers['stepgate-signature']).toBe(signWebhook(SECRET, now / 1000, body));
    expect(JSON.parse(body)).toMatchObject({ type: 'stepgate.message', message: MESSAGE });
    const check = {
      secret: SECRET,
      body,
      timestamp: headers['stepgate-timestamp'] as string,
      now: now / 1000,
    };
    expect(verifyWebhook({ ...check, signature: headers['stepgate-signature'] as string })).toBe(true);
    expect(verifyWebhook({ ...check, signature: signWebhook('other', now / 1000, body) })).toBe(false);
    expect(
      verifyWebhook({
        ...check,
        body: body.replace('123456', '654321'),
        signature: headers['stepgate-signature'] as string,
      }),
    ).toBe(false);
    expect(
      verifyWebhook({ ...check, now: now / 1000 + 301, signature: headers['stepgate-signature'] as string }),
    ).toBe(false);
  });

  it('fails with service_unavailable on a non-2xx answer or an unreachable receiver', async () => {
    status = 500;
    await expect(
      new WebhookSender({ type: 'webhook', url, secret: SECRET }).send(MESSAGE),
    ).rejects.toMatchObject({
      code: 'service_unavailable',
    });
    status = 204;
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await expect(
      new WebhookSender({
        type: 'webhook',
        url: `http://127.0.0.1:${port}/`,
        secret: SECRET,
        timeout: 2,
      }).send(MESSAGE),
    ).rejects.toMatchObject({ code: 'service_unavailable' });
  });
});
