import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { Caller } from '../service-context.js';
import { authenticate, type KeyNeed } from './auth.js';
import { errorBodySchema } from './protocol-schemas.js';

/** Who may call a route: nobody's key (`none`, the browser routes) or a key that meets {@link KeyNeed}. */
export type RouteAuth = 'none' | KeyNeed;

/** Schemas of a route; they validate requests and document the route in `/openapi.json`. */
export interface RouteSchemas {
  body?: object;
  params?: object;
  querystring?: object;
  headers?: object;
  /** Documented answers by status (not used for serialization). */
  responses: Record<number, { description: string; schema?: object }>;
}

/** One route of the service. */
export interface RouteSpec {
  method: Extract<HTTPMethods, 'GET' | 'POST' | 'PUT' | 'DELETE'>;
  /** Fastify path, `:param` style. */
  url: string;
  auth: RouteAuth;
  summary: string;
  tags: string[];
  schemas: RouteSchemas;
  handler: (request: FastifyRequest, reply: FastifyReply, caller: Caller | undefined) => Promise<unknown>;
}

/**
 * The routes of the service, registered through one function so the same list drives Fastify,
 * the 405 answers and the OpenAPI document.
 */
export class RouteTable {
  readonly routes: RouteSpec[] = [];
  readonly #patterns: Array<{ method: string; pattern: RegExp }> = [];

  /** Registers a route on the app and in the table. */
  add(app: FastifyInstance, spec: RouteSpec): void {
    this.routes.push(spec);
    const pattern = spec.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/]+');
    this.#patterns.push({ method: spec.method, pattern: new RegExp(`^${pattern}$`) });
    const { schemas } = spec;
    const schema: Record<string, object> = {};
    if (schemas.body) schema.body = schemas.body;
    if (schemas.params) schema.params = schemas.params;
    if (schemas.querystring) schema.querystring = schemas.querystring;
    if (schemas.headers) schema.headers = schemas.headers;
    app.route({
      method: spec.method,
      url: spec.url,
      schema,
      handler: async (request, reply) => {
        const caller = spec.auth === 'none' ? undefined : await authenticate(request, spec.auth);
        return spec.handler(request, reply, caller);
      },
    });
  }

  /** Methods registered for a concrete path (for 405 answers). */
  methodsFor(path: string): string[] {
    const bare = path.split('?')[0] ?? path;
    return this.#patterns.filter((p) => p.pattern.test(bare)).map((p) => p.method);
  }
}

/** The documented error answer. */
export const errorResponse = (description: string) => ({ description, schema: errorBodySchema });
