import { isStepgateClientError, type Stepgate, stepUpAnswer } from '@stepgate/node-client';
import { stepgateExpress } from '@stepgate/node-client/express';
import express, { type NextFunction, type Request, type Response } from 'express';
import { type Bank, ROLES, type Role } from './bank.js';
import { createDemoGeo, demoNetwork } from './network.js';
import { registerPages } from './pages.js';
import type { SeedState } from './seed.js';
import type { ServiceAdmin } from './service-admin.js';
import type { Sessions } from './sessions.js';
import { totpCode } from './totp.js';
import type { WebBundle } from './web-bundle.js';

/** What the bank app needs. */
export interface AppDeps {
  stepgate: Stepgate;
  admin: ServiceAdmin;
  bank: Bank;
  sessions: Sessions;
  seed: SeedState;
  web: WebBundle;
  /** The origin browsers see (`http://localhost:3000`): challenge URLs start with it, never with `Host`. */
  publicOrigin: string;
}

const bad = (res: Response, message: string) =>
  res.status(400).json({ error: { code: 'invalid_request', message } });

/** Reads `{ amount, payee }`: 0.01 to 1 000 000 euros, a payee of 1 to 64 characters. */
function transferBody(req: Request): { amount: number; payee: string } | undefined {
  const { amount, payee } = (req.body ?? {}) as Record<string, unknown>;
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0.01 || amount > 1_000_000) return;
  if (typeof payee !== 'string' || payee.trim().length === 0 || payee.length > 64) return;
  return { amount: Math.round(amount * 100) / 100, payee: payee.trim() };
}

/** Reads `{ userId, role }` of a role change. */
function roleBody(req: Request): { userId: string; role: Role } | undefined {
  const { userId, role } = (req.body ?? {}) as Record<string, unknown>;
  if (typeof userId !== 'string' || userId.length > 64 || !ROLES.includes(role as Role)) return;
  return { userId, role: role as Role };
}

/** Acme Bank's Express app: pages, the JSON API guarded by Stepgate, and the challenge proxy. */
export function createApp(deps: AppDeps): express.Express {
  const { stepgate, admin, bank, sessions, seed, publicOrigin } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.use(demoNetwork);
  const sg = stepgateExpress(stepgate, {
    getSubject: (req) => {
      const s = sessions.get(req);
      const c = s && bank.customer(s.userId);
      if (!s || !c) return null;
      return { id: c.id, sessionId: s.id, acr: 'aal1', authTime: s.authTime, roles: [c.role] };
    },
    trustProxy: 'loopback', // only this server sets X-Forwarded-For (see network.ts)
    geo: createDemoGeo((req) => sessions.get(req)?.userId),
    proxy: { publicOrigin }, // challengeUrl never echoes the request's Host header
  });
  app.use(sg.proxy()); // the widget's /stepgate/v1/challenges/… and /stepgate/v1/enrollments/…
  app.use(express.json({ limit: '8kb' }));
  registerPages(app, deps.web);

  const me = (req: Request) => {
    const s = sessions.get(req);
    return s && bank.customer(s.userId);
  };
  /**
   * Authorization, the bank's own: only an admin may change roles. It runs before the step-up
   * guard, so anyone else gets 403 without a challenge — a step-up proves who is at the keyboard,
   * it never grants a permission the user does not have.
   */
  const adminOnly = (req: Request, res: Response, next: NextFunction) => {
    const c = me(req);
    if (!c) return res.status(401).json({ error: { code: 'unauthorized', message: 'Sign in first.' } });
    if (c.role !== 'admin') {
      return res
        .status(403)
        .json({ error: { code: 'forbidden', message: 'Only an admin may change roles.' } });
    }
    next();
  };
  app.post('/api/login', (req, res) => {
    const c = bank.customer(String((req.body as { userId?: unknown })?.userId));
    if (!c) return bad(res, 'unknown demo user');
    sessions.create(res, c.id);
    res.json({ user: c });
  });
  app.post('/api/logout', (req, res) => {
    sessions.destroy(req, res);
    res.status(204).end();
  });
  app.get('/api/me', (req, res) => {
    const c = me(req);
    // The list of users and their roles is for the Roles page, which only admins have.
    const users =
      c?.role === 'admin' ? bank.customers().map(({ id, name, role }) => ({ id, name, role })) : [];
    res.json({ user: c ?? null, users });
  });
  app.get('/api/balance', sg.requireStepUp({ action: 'accounts.balance.read' }), (req, res) => {
    const c = me(req)!;
    res.json({
      balance: c.balance / 100,
      currency: 'EUR',
      transfers: bank.transfersOf(c.id),
      decisionId: req.stepUp?.decisionId,
    });
  });
  app.post(
    '/api/transfers',
    (req, res, next) =>
      transferBody(req) ? next() : bad(res, 'amount (0.01–1000000) and payee are required'),
    sg.requireStepUp({
      action: 'payments.transfer',
      transaction: (req) => ({ ...transferBody(req)!, currency: 'EUR' }),
    }),
    (req, res) => {
      const { amount, payee } = transferBody(req)!;
      try {
        const t = bank.transfer(me(req)!.id, payee, amount, req.stepUp?.decisionId);
        res.json({ transfer: t, balance: me(req)!.balance / 100 });
      } catch {
        res.status(409).json({ error: { code: 'conflict', message: 'Insufficient funds.' } });
      }
    },
  );
  app.post(
    '/api/roles',
    adminOnly,
    (req, res, next) =>
      roleBody(req) ? next() : bad(res, `userId and a role (${ROLES.join(', ')}) are required`),
    sg.requireStepUp({
      action: 'iam.role.change',
      transaction: (req) => roleBody(req),
      resource: (req) => ({ type: 'user', id: roleBody(req)!.userId }),
    }),
    (req, res) => {
      const body = roleBody(req)!;
      const c = bank.setRole(body.userId, body.role);
      if (!c) return res.status(404).json({ error: { code: 'not_found', message: 'No such user.' } });
      res.json({ user: { id: c.id, name: c.name, role: c.role }, decisionId: req.stepUp?.decisionId });
    },
  );
  app.post('/api/enrollment-ticket', async (req, res) => {
    const c = me(req);
    const s = sessions.get(req);
    if (!c || !s) return res.status(401).json({ error: { code: 'unauthorized', message: 'Sign in first.' } });
    const token = req.get('step-up-token');
    const subject = { id: c.id, sessionId: s.id, acr: 'aal1', authTime: s.authTime };
    const answer = await stepgate.createEnrollmentTicket(
      c.id,
      subject,
      undefined,
      token ? { stepUpToken: token } : {},
    );
    if ('ticket' in answer) return res.json(answer);
    const stepUp = stepUpAnswer(
      answer,
      `${publicOrigin}/stepgate/v1/challenges/${answer.challenge.id}`,
      'Confirm it is you before adding a factor.',
    );
    res.status(stepUp.status).set(stepUp.headers).json(stepUp.body);
  });
  app.get('/api/factors', async (req, res) => {
    const c = me(req);
    if (!c) return res.status(401).json({ error: { code: 'unauthorized', message: 'Sign in first.' } });
    res.json(await stepgate.listFactors(c.id));
  });
  // Demo-only helpers: the customer's mailbox (the service's dev outbox), Carol's phone, the audit log.
  app.get('/api/demo/mailbox', async (req, res) => {
    const c = me(req);
    res.json({ messages: c ? await admin.outbox(c.id) : [] });
  });
  app.get('/api/demo/phone', (req, res) => {
    const secret = seed.totp[me(req)?.id ?? ''];
    res.json(secret ? { code: totpCode(secret, Date.now()) } : {});
  });
  app.get('/api/demo/audit', async (req, res) => {
    if (!me(req)) return res.status(401).json({ error: { code: 'unauthorized', message: 'Sign in first.' } });
    // The operator console (docs/operators.md) is where the audit is read as a person would.
    res.json({ ...(await admin.audit(100)), consoleUrl: `${admin.url}/console` });
  });
  app.use(apiError);
  return app;
}

/** JSON for errors the routes did not answer: a service refusal keeps its code; the rest is a 503. */
function apiError(error: unknown, _req: Request, res: Response, _next: NextFunction): void {
  if (isStepgateClientError(error, 'service_rejected') && error.status !== undefined && error.status < 500) {
    res
      .status(error.status)
      .json({ error: { code: error.serviceCode ?? 'invalid_request', message: error.message } });
    return;
  }
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = status === 413 ? 'payload_too_large' : 'invalid_request';
    res.status(status).json({ error: { code, message: 'Malformed request.' } });
    return;
  }
  res
    .status(503)
    .json({ error: { code: 'service_unavailable', message: 'The security service did not answer.' } });
}
