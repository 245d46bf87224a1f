import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { RequestHandler as Express5Handler } from 'express';
import express, { type RequestHandler } from 'express4';
import { stepgateExpress } from '../../src/express/index.js';
import { type AdapterHarness, geoOption, passThrough, subjectFrom, urlOf } from './harness.js';

/**
 * The adapter's middleware is typed against the `express` types this package builds with (5); an
 * Express 4 app compiles against @types/express@4 instead (checked by tsconfig.express4.json, see
 * test/express4/app-types.ts). At run time it is the same function: only the static type changes.
 */
const asExpress4 = (handler: Express5Handler) => handler as unknown as RequestHandler;

/**
 * Express 4 (the `express4` alias of express@4.21.2, the floor of the peer range) with the adapter,
 * built exactly like the Express 5 harness: proxy first, then a JSON body parser on the guarded route.
 */
export const express4Harness: AdapterHarness = {
  name: 'express 4',
  frameworkTrust: true,
  async start(stepgate, options = {}) {
    const sg = stepgateExpress(stepgate, {
      getSubject: (req) => subjectFrom(req.headers['x-test-user'], options),
      geo: geoOption(options),
      ...passThrough(options),
    });
    const app = express();
    if (options.appTrustProxy !== undefined) app.set('trust proxy', options.appTrustProxy);
    app.use(asExpress4(sg.proxy()));
    app.post(
      '/guarded',
      express.json(),
      asExpress4(sg.requireStepUp({ action: 'payments.transfer', transaction: (req) => req.body })),
      (req, res) => {
        res.json({ ok: true, decisionId: req.stepUp?.decisionId });
      },
    );
    app.get('/open', (_req, res) => {
      res.json({ ok: true });
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return {
      url: urlOf(server.address() as AddressInfo),
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  },
};
