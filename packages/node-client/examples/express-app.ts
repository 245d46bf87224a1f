// The README's Express example. `createApp()` takes the client so the example test can point it at a
// service on a loopback port; in an app you would create it once from your configuration.
import { createStepgate, type Stepgate } from '@stepgate/node-client';
import { stepgateExpress } from '@stepgate/node-client/express';
import express from 'express';
import { invalidTransfer, readTransfer } from './transfer.js';

export function createApp(
  stepgate: Stepgate = createStepgate({
    serviceUrl: process.env.STEPGATE_URL ?? 'http://127.0.0.1:8787',
    apiKey: process.env.STEPGATE_API_KEY ?? '',
  }),
) {
  const sg = stepgateExpress(stepgate, {
    // Your session middleware goes here; this demo trusts a header instead.
    getSubject: (req) => {
      const user = req.get('x-demo-user');
      return user ? { id: user, sessionId: `sess_${user}`, acr: 'aal1' } : null;
    },
    trustProxy: 'loopback',
  });
  const app = express();
  app.use(sg.proxy()); // the widget reaches /stepgate/v1/challenges/… through the app
  app.post(
    '/api/transfer',
    express.json(),
    // Check the body before the guard; the guard binds the checked transfer.
    (req, res, next) => (readTransfer(req.body) ? next() : res.status(400).json(invalidTransfer)),
    sg.requireStepUp({ action: 'payments.transfer', transaction: (req) => readTransfer(req.body) }),
    (req, res) => {
      res.json({ ok: true, decisionId: req.stepUp?.decisionId });
    },
  );
  return app;
}
