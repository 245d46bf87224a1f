// The README's Hono example (the fetch adapter works the same in Next.js route handlers).
import { getConnInfo } from '@hono/node-server/conninfo';
import { createStepgate, type Stepgate } from '@stepgate/node-client';
import { stepgateFetch } from '@stepgate/node-client/fetch';
import { type Context, Hono } from 'hono';
import { invalidTransfer, readTransfer } from './transfer.js';

export function createApp(
  stepgate: Stepgate = createStepgate({
    serviceUrl: process.env.STEPGATE_URL ?? 'http://127.0.0.1:8787',
    apiKey: process.env.STEPGATE_API_KEY ?? '',
  }),
) {
  const sg = stepgateFetch(stepgate, {
    getSubject: (request) => {
      const user = request.headers.get('x-demo-user');
      return user ? { id: user, sessionId: `sess_${user}`, acr: 'aal1' } : null;
    },
  });
  const conn = (c: Context) => ({ remoteAddress: getConnInfo(c).remote.address });
  const transfer = sg.guard({
    action: 'payments.transfer',
    transaction: async (request) => readTransfer(await request.clone().json()),
  });
  const app = new Hono();
  app.all('/stepgate/*', async (c) => (await sg.proxy(c.req.raw, conn(c))) ?? c.notFound());
  app.post('/api/transfer', async (c) => {
    // Check the body before the guard (a clone: the guard reads it again).
    if (
      !readTransfer(
        await c.req.raw
          .clone()
          .json()
          .catch(() => undefined),
      )
    )
      return c.json(invalidTransfer, 400);
    const result = await transfer(c.req.raw, conn(c));
    if (!result.ok) return result.response; // 401 step-up, 403 deny, 503 unavailable
    return c.json({ ok: true, decisionId: result.verdict.decisionId });
  });
  return app;
}
