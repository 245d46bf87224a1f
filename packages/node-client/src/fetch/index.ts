/**
 * Fetch adapter for any framework on Web `Request`/`Response`: Hono, Next.js route handlers, Bun,
 * Deno, Cloudflare-style handlers running on Node.
 * @packageDocumentation
 */
import type { DecisionResponse } from '@stepgate/protocol';
import type { Stepgate } from '../client/create-stepgate.js';
import type { GuardAnswer } from '../guard/answers.js';
import { createGuardCore } from '../guard/core.js';
import type { GuardOptions, RouteOptions } from '../guard/guard-options.js';
import { type RequestView, viewFromHeaders } from '../guard/request-view.js';
import { readWebBody } from '../proxy/read-body.js';

/**
 * What the framework knows about the connection and a Web `Request` does not carry.
 * @example
 * const info: ConnectionInfo = { remoteAddress: getConnInfo(c).remote.address }; // Hono on Node
 */
export interface ConnectionInfo {
  /** The TCP peer's address (Hono on Node: `getConnInfo(c).remote.address`). */
  remoteAddress?: string | undefined;
}

/**
 * The outcome of a guard: run the handler with the verdict, or return `response`.
 * @example
 * const result = await transfer(request);
 * if (!result.ok) return result.response;
 */
export type GuardResult = { ok: true; verdict: DecisionResponse } | { ok: false; response: Response };

/**
 * Guards and the challenge proxy for Web `Request`/`Response` frameworks.
 * @example
 * const sg: StepgateFetch = stepgateFetch(stepgate, { getSubject });
 * app.all('/stepgate/*', async (c) => (await sg.proxy(c.req.raw)) ?? c.notFound());
 */
export interface StepgateFetch {
  /**
   * A check for one action: allow → `{ ok: true, verdict }`; otherwise `{ ok: false, response }` with the
   * 401 step-up, 403 deny, 401 unauthorized or 503 answer to return as is.
   * @throws StepgateClientError `invalid_options` at creation.
   */
  guard(options: RouteOptions<Request>): (request: Request, info?: ConnectionInfo) => Promise<GuardResult>;
  /**
   * Wraps a route handler (a Next.js `POST` export, for example) with {@link StepgateFetch.guard}.
   */
  requireStepUp(
    options: RouteOptions<Request>,
    handler: (request: Request, context: { stepUp: DecisionResponse }) => Response | Promise<Response>,
  ): (request: Request, info?: ConnectionInfo) => Promise<Response>;
  /**
   * The challenge proxy: a `Response` for requests under the prefix (404 for paths it does not
   * forward); `undefined` for any other path.
   */
  proxy(request: Request, info?: ConnectionInfo): Promise<Response | undefined>;
}

function view(request: Request, info: ConnectionInfo | undefined): RequestView {
  const url = new URL(request.url);
  return viewFromHeaders(
    request.method,
    `${url.pathname}${url.search}`,
    request.headers,
    info?.remoteAddress,
    url.protocol === 'https:',
  );
}

function toResponse(answer: GuardAnswer): Response {
  return new Response(JSON.stringify(answer.body), { status: answer.status, headers: answer.headers });
}

/**
 * Creates the fetch guards and proxy.
 *
 * @throws StepgateClientError `invalid_options`.
 * @example
 * // Next.js app/api/transfer/route.ts
 * const sg = stepgateFetch(stepgate, { getSubject: async (request) => sessionUser(request), trustProxy: true });
 * export const POST = sg.requireStepUp(
 *   { action: 'payments.transfer', transaction: (request) => request.clone().json() },
 *   async (request, { stepUp }) => Response.json({ ok: true, decisionId: stepUp.decisionId }),
 * );
 */
export function stepgateFetch(stepgate: Stepgate, options: GuardOptions<Request>): StepgateFetch {
  const core = createGuardCore(stepgate, options);
  const guard: StepgateFetch['guard'] = (routeOptions) => {
    const check = core.route(routeOptions);
    return async (request, info) => {
      const outcome = await check(request, view(request, info));
      return outcome.type === 'allow'
        ? { ok: true, verdict: outcome.verdict }
        : { ok: false, response: toResponse(outcome.answer) };
    };
  };
  return {
    guard,
    requireStepUp(routeOptions, handler) {
      const check = guard(routeOptions);
      return async (request, info) => {
        const result = await check(request, info);
        return result.ok ? handler(request, { stepUp: result.verdict }) : result.response;
      };
    },
    async proxy(request, info) {
      const answer = await core.proxy(view(request, info), () =>
        readWebBody(request, core.proxyBodyLimitBytes),
      );
      return (
        answer && new Response(answer.status === 204 || answer.status === 304 ? null : answer.body, answer)
      );
    },
  };
}

export type { TrustProxy } from '../guard/client-ip.js';
export type { GuardOptions, GuardWarning, ProxyOptions, RouteOptions } from '../guard/guard-options.js';
export type { SessionTokenOptions } from '../guard/session-level.js';
