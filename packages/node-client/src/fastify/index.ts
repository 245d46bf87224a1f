/**
 * Fastify adapter: a plugin (fastify-plugin) that decorates the instance with `requireStepUp()`,
 * requests with `stepUp`, and registers the challenge proxy routes under its prefix.
 * @packageDocumentation
 */
import type { TLSSocket } from 'node:tls';
import type { DecisionResponse } from '@stepgate/protocol';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { Stepgate } from '../client/create-stepgate.js';
import type { GuardAnswer } from '../guard/answers.js';
import type { TrustFunction } from '../guard/client-ip.js';
import { createGuardCore } from '../guard/core.js';
import type { GuardOptions, RouteOptions } from '../guard/guard-options.js';
import { type RequestView, viewFromNodeHeaders } from '../guard/request-view.js';
import type { ProxyAnswer } from '../proxy/forward.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * A `preHandler` that asks the service before the route runs: allow → the handler runs with
     * `request.stepUp`; step_up → 401 RFC 9470 challenge; deny → 403; no subject → 401; failure → 503.
     */
    requireStepUp(options: RouteOptions<FastifyRequest>): preHandlerAsyncHookHandler;
  }
  interface FastifyRequest {
    /** The `allow` verdict of the Stepgate guard that let this request run; `null` on unguarded routes. */
    stepUp: DecisionResponse | null;
  }
}

/**
 * Options of {@link stepgatePlugin}: the client plus the guard options.
 * @example
 * const options: StepgateFastifyOptions = { client: stepgate, getSubject, trustProxy: 'loopback' };
 * await app.register(stepgatePlugin, options);
 */
export interface StepgateFastifyOptions extends GuardOptions<FastifyRequest> {
  /** The client made by `createStepgate()`. */
  client: Stepgate;
}

/**
 * Fastify's `trustProxy` decision, read back from `request.ips` (Fastify does not expose the
 * compiled function): the chain runs from the TCP peer leftwards through `X-Forwarded-For`, and
 * every hop but the last was trusted. Without `trustProxy` Fastify has no `ips`: none trusted.
 */
function fastifyTrust(request: FastifyRequest): TrustFunction | undefined {
  const ips = (request as { ips?: string[] }).ips;
  if (!Array.isArray(ips)) return undefined;
  return (address, hop) => hop < ips.length - 1 && ips[hop] === address;
}

function view(request: FastifyRequest): RequestView {
  const socket = request.raw.socket;
  return viewFromNodeHeaders(
    request.method,
    request.raw.url ?? request.url,
    request.headers,
    socket.remoteAddress,
    Boolean((socket as TLSSocket).encrypted),
    fastifyTrust(request),
  );
}

function send(reply: FastifyReply, answer: GuardAnswer | ProxyAnswer): FastifyReply {
  const body = answer.body instanceof Uint8Array ? Buffer.from(answer.body) : JSON.stringify(answer.body);
  return reply.code(answer.status).headers(answer.headers).send(body);
}

const plugin: FastifyPluginAsync<StepgateFastifyOptions> = async (fastify, options) => {
  const { client, ...guardOptions } = options;
  const core = createGuardCore(client, guardOptions);
  fastify.decorateRequest('stepUp', null);
  fastify.decorate('requireStepUp', (routeOptions: RouteOptions<FastifyRequest>) => {
    const check = core.route(routeOptions);
    const preHandler: preHandlerAsyncHookHandler = async (request, reply) => {
      const outcome = await check(request, view(request));
      if (outcome.type === 'answer') return send(reply, outcome.answer);
      request.stepUp = outcome.verdict;
    };
    return preHandler;
  });
  const prefix = core.proxyPrefix;
  if (prefix === undefined) return;
  // An encapsulated child: its raw-body parser and error handler do not leak into the app.
  await fastify.register(async (child) => {
    child.removeAllContentTypeParsers();
    child.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: core.proxyBodyLimitBytes },
      (_req, body, done) => done(null, body),
    );
    child.setErrorHandler((error: { statusCode?: number }, _request, reply) => {
      const [status, code] = error.statusCode === 413 ? [413, 'payload_too_large'] : [400, 'invalid_request'];
      return reply
        .code(status)
        .header('cache-control', 'no-store')
        .send({ error: { code, message: 'The request was refused.' } });
    });
    child.route({
      method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      url: `${prefix}/*`,
      handler: async (request, reply) => {
        const body = request.body instanceof Buffer ? new Uint8Array(request.body) : new Uint8Array();
        const answer = await core.proxy(view(request), async () => body);
        if (answer === undefined) return reply.callNotFound();
        return send(reply, answer);
      },
    });
  });
};

/**
 * The Stepgate Fastify plugin.
 *
 * @throws StepgateClientError `invalid_options` when registered with bad options.
 * @example
 * import Fastify from 'fastify';
 * import { createStepgate } from '@stepgate/node-client';
 * import { stepgatePlugin } from '@stepgate/node-client/fastify';
 *
 * const app = Fastify();
 * await app.register(stepgatePlugin, {
 *   client: createStepgate({ serviceUrl, apiKey }),
 *   getSubject: (request) => (request.headers['x-user'] ? { id: String(request.headers['x-user']) } : null),
 * });
 * app.post('/api/transfer', { preHandler: app.requireStepUp({ action: 'payments.transfer', transaction: (r) => r.body as object }) },
 *   async (request) => ({ ok: true, decisionId: request.stepUp?.decisionId }));
 */
export const stepgatePlugin = fp(plugin, { fastify: '5.x', name: '@stepgate/node-client' });

export type { TrustProxy } from '../guard/client-ip.js';
export type { GuardOptions, GuardWarning, ProxyOptions, RouteOptions } from '../guard/guard-options.js';
export type { SessionTokenOptions } from '../guard/session-level.js';
