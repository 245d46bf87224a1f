// The README's Fastify example.
import { createStepgate, type Stepgate } from '@stepgate/node-client';
import { stepgatePlugin } from '@stepgate/node-client/fastify';
import Fastify from 'fastify';
import { type Transfer, transferSchema } from './transfer.js';

export async function createApp(
  client: Stepgate = createStepgate({
    serviceUrl: process.env.STEPGATE_URL ?? 'http://127.0.0.1:8787',
    apiKey: process.env.STEPGATE_API_KEY ?? '',
  }),
) {
  // No type coercion: by default Fastify's Ajv turns "900" into 900 and null into 0.
  const app = Fastify({ ajv: { customOptions: { coerceTypes: false } } });
  await app.register(stepgatePlugin, {
    client,
    getSubject: (request) => {
      const user = request.headers['x-demo-user'];
      return typeof user === 'string' ? { id: user, sessionId: `sess_${user}`, acr: 'aal1' } : null;
    },
  }); // also serves the challenge proxy under /stepgate
  app.post<{ Body: Transfer }>(
    '/api/transfer',
    {
      schema: { body: transferSchema }, // 400 before the guard runs
      preHandler: app.requireStepUp({
        action: 'payments.transfer',
        transaction: (request) => {
          const { amount, currency, payee } = request.body as Transfer; // checked by the schema
          return { amount, currency, payee };
        },
      }),
    },
    async (request) => ({ ok: true, decisionId: request.stepUp?.decisionId }),
  );
  return app;
}
