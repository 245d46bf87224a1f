/**
 * Express adapter: `stepgateExpress(stepgate, options)` → `requireStepUp()` route middleware and the
 * `proxy()` challenge proxy. Works with Express 4.21+ and 5.
 * @packageDocumentation
 */
import type { TLSSocket } from 'node:tls';
import type { DecisionResponse } from '@stepgate/protocol';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Stepgate } from '../client/create-stepgate.js';
import type { GuardAnswer } from '../guard/answers.js';
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
        check(req, view(req)).then((outcome) => {
          if (outcome.type === 'answer') return writeAnswer(res, outcome.answer);
          req.stepUp = outcome.verdict;
          next();
        }, next);
      };
    },
    proxy() {
      return (req: Request, res: Response, next: NextFunction) => {
        core
          .proxy(view(req), () => readNodeBody(req, core.proxyBodyLimitBytes))
          .then(
            (answer) =>
              answer === undefined ? next() : write(res, answer.status, answer.headers, answer.body),
            next,
          );
      };
    },
  };
}

export type { TrustProxy } from '../guard/client-ip.js';
export type { GuardOptions, ProxyOptions, RouteOptions } from '../guard/guard-options.js';
