import { type DecisionRequest, decisionRequestSchema, StepgateError } from '@stepgate/protocol';
import type { FastifyInstance } from 'fastify';
import { decide } from '../decisions/decide.js';
import { type AuthzenRequest, toAuthzenResponse, toDecisionRequest } from './authzen-mapping.js';
import { forwardedClientIp, type TrustedNetworks } from './client-ip.js';
import { requestAjv } from './request-ajv.js';
import { errorResponse, type RouteTable } from './route-table.js';

const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const;
const props = { type: 'object', maxProperties: 64 } as const;

/** AuthZEN 1.0 §6.1 access evaluation request: subject, action and resource required, context optional. */
export const authzenRequestSchema = {
  $id: 'https://stepgate.dev/schemas/authzenEvaluationRequest.json',
  type: 'object',
  additionalProperties: false,
  required: ['subject', 'action', 'resource'],
  properties: {
    // §5: subject, resource and action are open objects in the spec's schema (the interop
    // scenarios put members such as `identity` or `ownerID` beside `id`); such members are read as
    // properties. The request itself is closed, as in the spec's schema.
    subject: {
      type: 'object',
      maxProperties: 64,
      required: ['type', 'id'],
      properties: { type: text(128), id: text(256), properties: props },
    },
    action: {
      type: 'object',
      maxProperties: 64,
      required: ['name'],
      properties: { name: text(200), properties: props },
    },
    resource: {
      type: 'object',
      maxProperties: 64,
      required: ['type', 'id'],
      properties: { type: text(200), id: text(256), properties: props },
    },
    context: props,
  },
} as const;

/** AuthZEN 1.0 §6.2 access evaluation response. */
export const authzenResponseSchema = {
  $id: 'https://stepgate.dev/schemas/authzenEvaluationResponse.json',
  type: 'object',
  required: ['decision'],
  properties: { decision: { type: 'boolean' }, context: { type: 'object' } },
} as const;

/** Checks a mapped request against the protocol's decision request schema, formats included. */
export const validateMapped = requestAjv().compile<DecisionRequest>(decisionRequestSchema);

/**
 * `POST /access/v1/evaluation` (OpenID AuthZEN Authorization API 1.0): the same decision as
 * `POST /v1/decisions` — audited, metered, state updated — in the AuthZEN shape. A deny or a
 * step-up is `200 { decision: false }` (§12.1.11: HTTP errors are for failed requests, not
 * decisions); the step-up requirement and challenge are in `context.step_up`. `X-Request-ID` is
 * echoed (§12.1.12).
 */
export function registerAuthzenRoutes(
  app: FastifyInstance,
  routes: RouteTable,
  trusted: TrustedNetworks,
): void {
  const { ctx } = app.stepgate;
  // §12.1.12: echo X-Request-ID on every answer of the AuthZEN API, errors included.
  app.addHook('onRequest', async (request, reply) => {
    const id = request.headers['x-request-id'];
    if (request.url.startsWith('/access/v1/') && typeof id === 'string' && /^[\x21-\x7e]{1,256}$/.test(id)) {
      reply.header('x-request-id', id);
    }
  });
  routes.add(app, {
    method: 'POST',
    url: '/access/v1/evaluation',
    auth: 'api',
    summary: 'AuthZEN 1.0 access evaluation: a Stepgate decision as { decision: boolean, context }.',
    tags: ['decisions', 'authzen'],
    schemas: {
      body: authzenRequestSchema,
      headers: {
        type: 'object',
        properties: { 'x-request-id': text(256), 'stepgate-client-ip': text(64) },
      },
      responses: {
        200: {
          description: 'The decision; `context.step_up` when a step-up is needed.',
          schema: authzenResponseSchema,
        },
        400: errorResponse('Malformed request (`invalid_request`).'),
        401: errorResponse('Missing or wrong API key (`unauthorized`).'),
      },
    },
    handler: async (request, _reply, caller) => {
      const mapped = toDecisionRequest(request.body as AuthzenRequest);
      if (!validateMapped(mapped)) {
        const e = validateMapped.errors?.[0];
        throw new StepgateError(
          'invalid_request',
          `the request does not map to a valid decision request: ${e?.instancePath || '/'} ${e?.message ?? 'is invalid'}`,
        );
      }
      const forwardedIp = forwardedClientIp(request, trusted);
      const answer = await decide(
        ctx,
        mapped,
        forwardedIp === undefined ? { caller: caller! } : { caller: caller!, forwardedIp },
      );
      return toAuthzenResponse(answer);
    },
  });
}
