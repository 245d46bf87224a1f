import { EventEmitter, once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { RunningService } from '@stepgate/decision-service';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepgateExpress } from '../src/express/index.js';
import { createStepgate, type Stepgate } from '../src/index.js';
import { EXPRESS_VERSIONS } from './support/express-versions.js';
import { startService } from './support/service.js';

/**
 * Express 4 ignores the promise a middleware returns, so a rejection inside the guard that nobody
 * catches is an unhandled rejection (by default Node ends the process on one), and the request hangs.
 * These tests drive the failures that happen after the guard's own checks — an `onError` that
 * throws, a response that an earlier middleware already sent, a `next` that throws — through
 * Express 4 and 5 against the real decision service, and require each to reach the app's error
 * handler (or cut the connection) with the route never running and no rejection left unhandled.
 */
let svc: RunningService;
let stepgate: Stepgate;
beforeAll(async () => {
  svc = await startService();
  stepgate = createStepgate({ serviceUrl: svc.url, apiKey: svc.apiKey, timeoutMs: 5_000 });
  await stepgate.upsertUser('alice', { email: 'alice@example.com' });
});
afterAll(() => svc.close());

/** The next rejection that no code handled, while watched. */
function watchUnhandled(): { next: Promise<unknown>; stop(): void } {
  let stop = () => {};
  const next = new Promise<unknown>((resolve) => {
    process.on('unhandledRejection', resolve);
    stop = () => process.off('unhandledRejection', resolve);
  });
  return { next, stop };
}

for (const { name, express, version } of EXPRESS_VERSIONS) {
  describe(`${name} (${version}): no guard failure is left as an unhandled rejection`, () => {
    const handled = new EventEmitter();
    let routeRuns = 0;
    let url: string;
    let close: () => Promise<void>;

    beforeAll(async () => {
      const getSubject = (req: { headers: Record<string, unknown> }) =>
        req.headers['x-test-user'] ? { id: String(req.headers['x-test-user']), acr: 'aal1' } : null;
      const sg = stepgateExpress(stepgate, { getSubject, onError: () => {} });
      const throwingOnError = stepgateExpress(stepgate, {
        getSubject: async () => {
          throw new Error('session store down');
        },
        onError: () => {
          throw new Error('logger down');
        },
      });
      // Stands in for a request timeout that fired while the guard waited for the service.
      const alreadyAnswered: RequestHandler = (_req, res, next) => {
        res.status(503).json({ error: 'timeout' });
        next();
      };
      const route: RequestHandler = (_req, res) => {
        routeRuns += 1;
        res.json({ ok: true });
      };
      const guard = sg.requireStepUp({ action: 'payments.transfer', transaction: (req) => req.body });

      const app = express();
      app.use('/stepgate/v1/challenges/chl_late', alreadyAnswered);
      app.use(sg.proxy());
      app.post(
        '/rejecting-extractor',
        express.json(),
        sg.requireStepUp({
          action: 'payments.transfer',
          transaction: async () => {
            throw new Error('ledger down');
          },
        }),
        route,
      );
      app.post('/throwing-on-error', throwingOnError.requireStepUp({ action: 'payments.transfer' }), route);
      app.post('/late', alreadyAnswered, express.json(), guard, route);
      app.post('/throwing-next', express.json(), (req, res) =>
        guard(req, res, () => {
          throw new Error('router bug');
        }),
      );
      const errorHandler: ErrorRequestHandler = (error, _req, res, _next) => {
        handled.emit('handled', error);
        if (!res.headersSent) res.status(500).json({ error: 'app_error_handler' });
      };
      app.use(errorHandler);
      const server = app.listen(0, '127.0.0.1');
      await once(server, 'listening');
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      close = () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections(); // a request a regression left hanging must not hang the suite too
        });
    });
    afterAll(() => close());

    const post = (path: string, amount: number) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-test-user': 'alice' },
        body: JSON.stringify({ amount, currency: 'EUR', payee: 'p_1' }),
      });

    /** Which came first: the app's error handler, or a rejection nobody handled. */
    async function fate(): Promise<{ via: 'error handler' | 'unhandled rejection'; error: unknown }> {
      const unhandled = watchUnhandled();
      try {
        return await Promise.race([
          once(handled, 'handled').then(([error]) => ({ via: 'error handler' as const, error })),
          unhandled.next.then((error) => ({ via: 'unhandled rejection' as const, error })),
        ]);
      } finally {
        unhandled.stop();
      }
    }

    it('a transaction extractor that rejects answers 500 internal_error and the route never runs', async () => {
      const runs = routeRuns;
      const res = await post('/rejecting-extractor', 20);
      expect(res.status).toBe(500);
      expect(await res.json()).toMatchObject({ error: { code: 'internal_error' } });
      expect(routeRuns).toBe(runs);
    });

    it('an onError that throws reaches the app’s error handler (500) and the route never runs', async () => {
      const runs = routeRuns;
      const settled = fate();
      const res = await post('/throwing-on-error', 20);
      expect(await settled).toMatchObject({ via: 'error handler', error: { message: 'logger down' } });
      expect(res.status).toBe(500);
      expect(routeRuns).toBe(runs);
    });

    it('a step_up verdict for a response already sent goes to the error handler, not to an unhandled rejection', async () => {
      const runs = routeRuns;
      const settled = fate();
      const res = await post('/late', 700);
      expect(res.status).toBe(503);
      expect(await settled).toMatchObject({ via: 'error handler', error: { code: 'ERR_HTTP_HEADERS_SENT' } });
      expect(routeRuns).toBe(runs);
    });

    it('a proxied answer for a response already sent goes to the error handler, not to an unhandled rejection', async () => {
      const settled = fate();
      const res = await fetch(`${url}/stepgate/v1/challenges/chl_late`);
      expect(res.status).toBe(503);
      expect(await settled).toMatchObject({ via: 'error handler', error: { code: 'ERR_HTTP_HEADERS_SENT' } });
    });

    it('a next() that throws after an allow cuts the connection instead of leaving the rejection unhandled', async () => {
      const unhandled = watchUnhandled();
      try {
        const outcome = await Promise.race([
          post('/throwing-next', 20).then(
            (res) => `answered ${res.status}`,
            () => 'connection cut',
          ),
          unhandled.next.then(() => 'unhandled rejection'),
        ]);
        expect(outcome).toBe('connection cut');
      } finally {
        unhandled.stop();
      }
    });
  });
}
