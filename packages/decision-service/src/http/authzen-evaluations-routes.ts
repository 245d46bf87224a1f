import { type DecisionRequest, StepgateError } from '@stepgate/protocol';
import type { FastifyInstance } from 'fastify';
import { decide } from '../decisions/decide.js';
import {
  type AuthzenRequest,
  type AuthzenResponse,
  toAuthzenResponse,
  toDecisionRequest,
} from './authzen-mapping.js';
import { authzenRequestSchema, validateMapped } from './authzen-routes.js';
import { forwardedClientIp, type TrustedNetworks } from './client-ip.js';
import { errorResponse, type RouteTable } from './route-table.js';

/** Most evaluations in one request. */
export const MAX_EVALUATIONS = 50;

const entities = authzenRequestSchema.properties;
const partial = { type: 'object', additionalProperties: false, properties: entities } as const;

/** AuthZEN 1.0 Access Evaluations request: defaults at the top, one 4-tuple per evaluation. */
export const authzenEvaluationsSchema = {
  $id: 'https://stepgate.dev/schemas/authzenEvaluationsRequest.json',
  type: 'object',
  additionalProperties: false,
  required: ['evaluations'],
  properties: {
    ...entities,
    evaluations: { type: 'array', minItems: 1, maxItems: MAX_EVALUATIONS, items: partial },
    options: {
      type: 'object',
      maxProperties: 16,
      properties: {
        evaluations_semantic: { enum: ['execute_all', 'deny_on_first_deny', 'permit_on_first_permit'] },
      },
    },
  },
} as const;

type Partial4 = Partial<AuthzenRequest>;

/**
 * `POST /access/v1/evaluations` (AuthZEN 1.0 Access Evaluations API, "boxcarring"): top-level
 * `subject`, `action`, `resource`, `context` are defaults each evaluation may override; answers
 * `{ evaluations: [...] }` in request order. Each evaluation is a full decision (audited, state
 * updated), run in order. `options.evaluations_semantic`: `execute_all` (default),
 * `deny_on_first_deny` (stop after the first `false`) or `permit_on_first_permit` (stop after the
 * first `true`). An evaluation that does not map to a valid decision request is
 * `{ decision: false, context: { error: { status: 400, message } } }` (decisions default closed).
 */
export function registerAuthzenEvaluationsRoutes(
  app: FastifyInstance,
  routes: RouteTable,
  trusted: TrustedNetworks,
): void {
  const { ctx } = app.stepgate;
  routes.add(app, {
    method: 'POST',
    url: '/access/v1/evaluations',
    auth: 'api',
    summary: 'AuthZEN 1.0 access evaluations: several decisions in one request, in order.',
    tags: ['decisions', 'authzen'],
    schemas: {
      body: authzenEvaluationsSchema,
      responses: {
        200: { description: '`{ evaluations: [{ decision, context }] }` in request order.' },
        400: errorResponse('Malformed request (`invalid_request`).'),
        401: errorResponse('Missing or wrong API key (`unauthorized`).'),
      },
    },
    handler: async (request, _reply, caller) => {
      const body = request.body as Partial4 & {
        evaluations: Partial4[];
        options?: { evaluations_semantic?: string };
      };
      const semantic = body.options?.evaluations_semantic ?? 'execute_all';
      const forwardedIp = forwardedClientIp(request, trusted);
      const options = forwardedIp === undefined ? { caller: caller! } : { caller: caller!, forwardedIp };
      const evaluations: AuthzenResponse[] = [];
      // A field of the wrong type fails its own evaluation (audited), not the batch.
      const decideOne = async (mapped: DecisionRequest): Promise<AuthzenResponse> => {
        try {
          return toAuthzenResponse(await decide(ctx, mapped, options));
        } catch (error) {
          if (error instanceof StepgateError && error.code === 'invalid_request')
            return failed(error.message);
          throw error;
        }
      };
      for (const item of body.evaluations) {
        const merged = {
          subject: item.subject ?? body.subject,
          action: item.action ?? body.action,
          resource: item.resource ?? body.resource,
          ...((item.context ?? body.context) === undefined ? {} : { context: item.context ?? body.context }),
        };
        let answer: AuthzenResponse;
        if (!merged.subject || !merged.action || !merged.resource) {
          answer = failed('each evaluation needs a subject, an action and a resource (or their defaults)');
        } else {
          const mapped = toDecisionRequest(merged as AuthzenRequest);
          answer = validateMapped(mapped)
            ? await decideOne(mapped)
            : failed(
                `${validateMapped.errors?.[0]?.instancePath || '/'} ${validateMapped.errors?.[0]?.message ?? 'is invalid'}`,
              );
        }
        evaluations.push(answer);
        if (semantic === 'deny_on_first_deny' && !answer.decision) break;
        if (semantic === 'permit_on_first_permit' && answer.decision) break;
      }
      return { evaluations };
    },
  });
}

function failed(message: string): AuthzenResponse {
  return { decision: false, context: { error: { status: 400, message } } };
}
