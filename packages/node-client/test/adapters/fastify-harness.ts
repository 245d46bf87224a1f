import Fastify from 'fastify';
import { stepgatePlugin } from '../../src/fastify/index.js';
import { type AdapterHarness, geoOption, passThrough, subjectFrom } from './harness.js';

/** Fastify 5 with the plugin: proxy routes registered by the plugin, guard as a preHandler. */
export const fastifyHarness: AdapterHarness = {
  name: 'fastify',
  frameworkTrust: true,
  async start(stepgate, options = {}) {
    const app = Fastify(options.appTrustProxy === undefined ? {} : { trustProxy: options.appTrustProxy });
    await app.register(stepgatePlugin, {
      client: stepgate,
      getSubject: (request) => subjectFrom(request.headers['x-test-user'], options),
      geo: geoOption(options),
      ...passThrough(options),
    });
    app.post(
      '/guarded',
      {
        preHandler: app.requireStepUp({
          action: 'payments.transfer',
          transaction: (request) => request.body as Record<string, unknown>,
        }),
      },
      async (request) => ({ ok: true, decisionId: request.stepUp?.decisionId }),
    );
    app.get('/open', async () => ({ ok: true }));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, close: () => app.close() };
  },
};
