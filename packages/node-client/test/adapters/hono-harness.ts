import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { type Context, Hono } from 'hono';
import { stepgateFetch } from '../../src/fetch/index.js';
import { type AdapterHarness, geoOption, passThrough, subjectFrom, urlOf } from './harness.js';

/** Hono on @hono/node-server with the fetch adapter. */
export const honoHarness: AdapterHarness = {
  name: 'fetch (hono)',
  async start(stepgate, options = {}) {
    const sg = stepgateFetch(stepgate, {
      getSubject: (request) => subjectFrom(request.headers.get('x-test-user'), options),
      geo: geoOption(options),
      ...passThrough(options),
    });
    const info = (c: Context) => ({ remoteAddress: getConnInfo(c).remote.address });
    const transfer = sg.guard({
      action: 'payments.transfer',
      transaction: async (request) => (await request.clone().json()) as Record<string, unknown>,
    });
    const app = new Hono();
    app.all('/stepgate/*', async (c) => (await sg.proxy(c.req.raw, info(c))) ?? c.notFound());
    app.post('/guarded', async (c) => {
      const result = await transfer(c.req.raw, info(c));
      return result.ok ? c.json({ ok: true, decisionId: result.verdict.decisionId }) : result.response;
    });
    app.get('/open', (c) => c.json({ ok: true }));
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    return {
      url: urlOf(server.address() as AddressInfo),
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  },
};
