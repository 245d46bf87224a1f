import type { Method, VerifyRequest } from '@stepgate/protocol';
import {
  challengeFailedSchema,
  challengeViewSchema,
  startAnswerSchema,
  startRequestSchema,
  verifyAnswerSchema,
  verifyRequestSchema,
} from '@stepgate/protocol';
import type { FastifyInstance } from 'fastify';
import type { ChallengeService } from '../../challenges/challenge-service.js';
import type { DevOutbox } from '../../senders/dev-outbox.js';
import { answerError, browserClientIp } from '../browser-routes.js';
import type { TrustedNetworks } from '../client-ip.js';
import { errorResponse, type RouteTable } from '../route-table.js';

/** `{ id }` of a challenge: loose on purpose, so an unknown id fails like a wrong code (S10). */
export const challengeIdParamsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 256 } },
} as const;

const failed = {
  description: 'Wrong, expired, used, unknown or locked (`challenge_failed`, S10).',
  schema: challengeFailedSchema,
};
const limited = errorResponse('Too many requests from this IP or for this user (`rate_limited`).');

/**
 * The widget's challenge routes (docs/design/wire-contract.md "HTTP API (v1)"): `GET /v1/challenges/{id}`, `…/start`,
 * `…/verify`, with the challenge id as the capability; and `GET /v1/dev/outbox` when the dev
 * sender is configured (admin key, S32).
 */
export function registerChallengeRoutes(
  app: FastifyInstance,
  routes: RouteTable,
  deps: { challenges: ChallengeService; trusted: TrustedNetworks; outbox: DevOutbox | undefined },
): void {
  const { challenges, trusted } = deps;
  routes.add(app, {
    method: 'GET',
    url: '/v1/challenges/:id',
    auth: 'none',
    summary:
      'A challenge: status, allowed methods (masked destinations), attempts left, expiry, transaction.',
    tags: ['challenges'],
    schemas: {
      params: challengeIdParamsSchema,
      responses: {
        200: { description: 'The challenge.', schema: challengeViewSchema },
        404: errorResponse('Unknown challenge.'),
      },
    },
    handler: async (request) => challenges.view((request.params as { id: string }).id),
  });
  routes.add(app, {
    method: 'POST',
    url: '/v1/challenges/:id/start',
    auth: 'none',
    summary: 'Sends a code (email_otp, sms_otp; again = resend after the cooldown) or answers {} for totp.',
    tags: ['challenges'],
    schemas: {
      params: challengeIdParamsSchema,
      body: startRequestSchema,
      responses: {
        200: { description: 'Sent, or nothing to do.', schema: startAnswerSchema },
        400: failed,
        429: limited,
      },
    },
    handler: async (request, reply) => {
      try {
        const ip = await browserClientIp(request, trusted);
        const { method } = request.body as { method: Method };
        return await challenges.start((request.params as { id: string }).id, method, ip);
      } catch (error) {
        return answerError(reply, error);
      }
    },
  });
  routes.add(app, {
    method: 'POST',
    url: '/v1/challenges/:id/verify',
    auth: 'none',
    summary: 'Verifies a code and answers the upgraded token (and a remembered-device token when allowed).',
    tags: ['challenges'],
    schemas: {
      params: challengeIdParamsSchema,
      body: verifyRequestSchema,
      responses: { 200: { description: 'Verified.', schema: verifyAnswerSchema }, 400: failed, 429: limited },
    },
    handler: async (request, reply) => {
      try {
        const ip = await browserClientIp(request, trusted);
        return await challenges.verify(
          (request.params as { id: string }).id,
          request.body as VerifyRequest,
          ip,
        );
      } catch (error) {
        return answerError(reply, error);
      }
    },
  });
  const { outbox } = deps;
  if (!outbox) return; // S32: the route does not exist unless the dev sender is configured.
  routes.add(app, {
    method: 'GET',
    url: '/v1/dev/outbox',
    auth: 'admin',
    summary: 'Messages "sent" by the dev sender (tests, demo). Exists only when configured; admin key.',
    tags: ['dev'],
    schemas: {
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          to: { type: 'string', minLength: 1, maxLength: 320 },
          userId: { type: 'string', minLength: 1, maxLength: 256 },
        },
      },
      responses: {
        200: { description: '`{ messages }`, oldest first.' },
        403: errorResponse('Not an admin key.'),
      },
    },
    handler: async (request) => ({
      messages: outbox.list(request.query as { to?: string; userId?: string }),
    }),
  });
}
