/**
 * Express adapter: `stepgateExpress(stepgate, options)` → `requireStepUp()` route middleware and the
 * `proxy()` challenge proxy. Works with Express 4.21+ and 5 (tested on 4.21.2 and 5.3.0).
 * @packageDocumentation
 */
import type { TLSSocket } from 'node:tls';
import type { DecisionResponse } from '@stepgate/protocol';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Stepgate } from '../client/create-stepgate.js';
import type { GuardAnswer } from '../guard/answers.js';
import type { TrustFunction } from '../guard/client-ip.js';
import { createGuardCore } from '../guard/core.js';
import type { GuardOptions, RouteOptions } from '../guard/guard-options.js';
import { type RequestView, viewFromNodeHeaders } from '../guard/request-view.js';
import { readNodeBody } from '../proxy/read-body.js';

declare global {
  namespace Express {
    interface Request {
      /** The `allow` verdict of the Stepgate guard that let this request run. */
      stepUp?: DecisionResponse;
    }
  }
}

/**
 * Guards and the challenge proxy for one Express app.
 * @example
 * const sg: StepgateExpress = stepgateExpress(stepgate, { getSubject });
 * app.use(sg.proxy());
 * app.delete('/api/users/:id', sg.requireStepUp({ action: 'iam.user.delete' }), handler);
 */
export interface StepgateExpress {
  /**
   * Middleware that asks the service before the route runs: allow → `next()` with `req.stepUp`;
   * step_up → 401 RFC 9470 challenge; deny → 403; no subject → 401; failure → 503 (never allows).
   * @throws StepgateClientError `invalid_options` for a bad action or extractor, at creation.
   */
  requireStepUp(options: RouteOptions<Request>): RequestHandler;
  /**
   * The challenge proxy: forwards `{prefix}/v1/challenges/…` and `{prefix}/v1/enrollments/…` to the
   * service and passes every other request on. Mount it with `app.use(sg.proxy())`, before body parsers
   * if possible.
   */
  proxy(): RequestHandler;
}

function view(req: Request): RequestView {
  return viewFromNodeHeaders(
    req.method,
    req.originalUrl,
    req.headers,
    req.socket.remoteAddress,
    Boolean((req.socket as TLSSocket).encrypted),
    // Express keeps `app.set('trust proxy', …)` compiled under this name (what `req.ip` uses).
    req.app?.get('trust proxy fn') as TrustFunction | undefined,
  );
}

function write(
  res: Response,
  status: number,
  headers: Record<string, string>,
  body: Uint8Array | string,
): void {
  res.status(status).set(headers).end(body);
}

const writeAnswer = (res: Response, a: GuardAnswer) =>
  write(res, a.status, a.headers, JSON.stringify(a.body));

/**
 * Ends a middleware's work without ever leaving a promise rejected unobserved. Express 4 ignores
 * what a middleware returns and Express 5 watches only a promise it is given back, while Node ends
 * the process on an unhandled rejection by default; so these middleware return nothing and route
 * every failure themselves. `work` resolves `true` to let the route run (`next()`). Any failure
 * before that — the check or the proxy rejecting, or writing the answer throwing
 * (`ERR_HTTP_HEADERS_SENT` when a timeout middleware answered first) — goes to `next(error)`
 * instead, so the app's error handler answers and the route never runs (S20). `next` is called at
 * most once; if it throws itself, which neither router lets a handler cause, the connection is cut.
 */
function settle(work: Promise<boolean>, res: Response, next: NextFunction): void {
  work
    .then((proceed) => {
      if (proceed) next();
    }, next)
    .catch(() => res.destroy());
}

/**
 * Creates the Express guards and proxy.
 *
 * @throws StepgateClientError `invalid_options`.
 * @example
 * import express from 'express';
 * import { createStepgate } from '@stepgate/node-client';
 * import { stepgateExpress } from '@stepgate/node-client/express';
 *
 * const sg = stepgateExpress(createStepgate({ serviceUrl, apiKey }), {
 *   getSubject: (req) => (req.session?.userId ? { id: req.session.userId } : null),
 *   trustProxy: 'loopback',
 * });
 * const app = express();
 * app.use(sg.proxy());
 * app.post('/api/transfer', express.json(), sg.requireStepUp({ action: 'payments.transfer', transaction: (req) => req.body }),
 *   (req, res) => res.json({ ok: true, decisionId: req.stepUp?.decisionId }));
 */
export function stepgateExpress(stepgate: Stepgate, options: GuardOptions<Request>): StepgateExpress {
  const core = createGuardCore(stepgate, options);
  return {
    requireStepUp(routeOptions) {
      const check = core.route(routeOptions);
      return (req: Request, res: Response, next: NextFunction) => {
        settle(
          check(req, view(req)).then((outcome) => {
            if (outcome.type === 'answer') {
              writeAnswer(res, outcome.answer);
              return false;
            }
            req.stepUp = outcome.verdict;
            return true;
          }),
          res,
          next,
        );
      };
    },
    proxy() {
      return (req: Request, res: Response, next: NextFunction) => {
        settle(
          core
            .proxy(view(req), () => readNodeBody(req, core.proxyBodyLimitBytes))
            .then((answer) => {
              if (answer === undefined) return true;
              write(res, answer.status, answer.headers, answer.body);
              return false;
            }),
          res,
          next,
        );
      };
    },
  };
}

export type { TrustProxy } from '../guard/client-ip.js';
export type { GuardOptions, GuardWarning, ProxyOptions, RouteOptions } from '../guard/guard-options.js';
export type { SessionTokenOptions } from '../guard/session-level.js';
