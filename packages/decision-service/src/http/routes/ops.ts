import type { FastifyInstance } from 'fastify';
import { VERSION } from '../../version.js';
import { buildOpenApi } from '../openapi.js';
import { errorResponse, type RouteTable } from '../route-table.js';
import { healthSchema, jwksSchema } from '../schemas.js';

/** `GET /.well-known/jwks.json`, `/healthz`, `/readyz`, `/openapi.json`. */
export function registerOpsRoutes(app: FastifyInstance, routes: RouteTable): void {
  const { ctx } = app.stepgate;
  routes.add(app, {
    method: 'GET',
    url: '/.well-known/jwks.json',
    auth: 'none',
    summary: 'Public keys of upgraded tokens; retired keys stay until their tokens have expired.',
    tags: ['tokens'],
    schemas: { responses: { 200: { description: 'The JWKS (RFC 7517).', schema: jwksSchema } } },
    handler: async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=60');
      return ctx.keys.jwks();
    },
  });
  routes.add(app, {
    method: 'GET',
    url: '/healthz',
    auth: 'none',
    summary: 'Liveness: the process answers.',
    tags: ['ops'],
    schemas: { responses: { 200: { description: 'Alive.', schema: healthSchema } } },
    handler: async () => ({ status: 'ok', version: VERSION }),
  });
  routes.add(app, {
    method: 'GET',
    url: '/readyz',
    auth: 'none',
    summary: 'Readiness: the store answers, the audit log accepts writes and policies are loaded.',
    tags: ['ops'],
    schemas: {
      responses: {
        200: { description: 'Ready.', schema: healthSchema },
        503: errorResponse('Not ready (`service_unavailable`).'),
      },
    },
    handler: async (_request, reply) => {
      const ok = await ctx.store.ping().catch(() => false);
      if (!ok) {
        return reply
          .status(503)
          .send({ error: { code: 'service_unavailable', message: 'the store does not answer' } });
      }
      // S29: decisions are withheld while the audit log cannot be written.
      if (!ctx.audit.healthy && !(await ctx.audit.probe())) {
        return reply
          .status(503)
          .send({ error: { code: 'service_unavailable', message: 'the audit log cannot be written' } });
      }
      return { status: 'ok', version: VERSION, policyVersion: ctx.policies.current.version };
    },
  });
  let cached: object | undefined;
  routes.add(app, {
    method: 'GET',
    url: '/openapi.json',
    auth: 'none',
    summary: 'This OpenAPI 3.1 document, generated from the route schemas.',
    tags: ['ops'],
    schemas: { responses: { 200: { description: 'The OpenAPI document.' } } },
    handler: async () => {
      cached ??= buildOpenApi(routes.routes, VERSION);
      return cached;
    },
  });
}
