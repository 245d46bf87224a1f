import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { stepgateExpress } from '../../src/express/index.js';
import { type AdapterHarness, geoOption, passThrough, subjectFrom, urlOf } from './harness.js';

/** Express 5 with the adapter: proxy first, then a JSON body parser on the guarded route. */
export const expressHarness: AdapterHarness = {
  name: 'express',
  frameworkTrust: true,
  async start(stepgate, options = {}) {
    const sg = stepgateExpress(stepgate, {
      getSubject: (req) => subjectFrom(req.headers['x-test-user'], options),
      geo: geoOption(options),
      ...passThrough(options),
    });
    const app = express();
    if (options.appTrustProxy !== undefined) app.set('trust proxy', options.appTrustProxy);
    app.use(sg.proxy());
    app.post(
      '/guarded',
      express.json(),
      sg.requireStepUp({ action: 'payments.transfer', transaction: (req) => req.body }),
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
