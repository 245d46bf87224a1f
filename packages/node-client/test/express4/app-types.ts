// Compiled only by tsconfig.express4.json, where `express` resolves to @types/express@4: an Express 4
// app written as the README shows type-checks against the adapter's published types.
import type { DecisionResponse } from '@stepgate/protocol';
import express, { type Request } from 'express';
import { stepgateExpress } from '../../src/express/index.js';
import { createStepgate } from '../../src/index.js';

const sg = stepgateExpress(createStepgate({ serviceUrl: 'http://127.0.0.1:8787', apiKey: 'sk_test' }), {
  getSubject: (req) => {
    const user = req.get('x-demo-user');
    return user ? { id: user, sessionId: `sess_${user}`, acr: 'aal1' } : null;
  },
  trustProxy: 'loopback',
});
const app = express();
app.use(sg.proxy());
app.post(
  '/api/transfer',
  express.json(),
  sg.requireStepUp({
    action: 'payments.transfer',
    transaction: (req) => ({ amount: req.body.amount, payee: req.body.payee }),
  }),
  (req, res) => {
    const verdict: DecisionResponse | undefined = req.stepUp;
    res.json({ ok: true, decisionId: verdict?.decisionId });
  },
);
// `req.param()` is in Express 4's types only (removed in 5): this line stops compiling if this config
// ever resolves `express` to 5's types, which would make the check above prove nothing.
export type Express4Only = Request['param'];
export const stepUpOf = (req: Request): DecisionResponse | undefined => req.stepUp;
