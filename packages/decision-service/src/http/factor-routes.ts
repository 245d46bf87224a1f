import {
  enrollmentStepUpSchema,
  type FactorRemovalRequest,
  factorListSchema,
  factorRemovalRequestSchema,
  factorRemovedSchema,
  type UserDeletionRequest,
  userDeletedSchema,
  userDeletionRequestSchema,
} from '@stepgate/protocol';
import type { FastifyInstance } from 'fastify';
import type { ChallengeDeps } from '../challenges/challenge-deps.js';
import { describeFactor } from '../enrollment/credential-data.js';
import { removeFactor } from '../enrollment/factor-removal.js';
import { deleteUser } from '../enrollment/user-deletion.js';
import type { WebAuthnStore } from '../stores/webauthn-store.js';
import { errorResponse, type RouteTable } from './route-table.js';

const id = { type: 'string', minLength: 1, maxLength: 256 } as const;

/** `{ id, factorId }` path parameters. */
export const factorParamsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'factorId'],
  properties: { id, factorId: id },
} as const;

/** Body of `DELETE /v1/users/{id}/factors/{factorId}` (the protocol's schema, without its `$id`). */
const { $id: _removalId, ...factorRemovalSchema } = factorRemovalRequestSchema;
/** Answer of a removal. */
const { $id: _removedId, ...factorRemovedBody } = factorRemovedSchema;
/** Body and answer of `DELETE /v1/users/{id}`. */
const { $id: _deletionId, ...userDeletionSchema } = userDeletionRequestSchema;
const { $id: _deletedId, ...userDeletedBody } = userDeletedSchema;

/**
 * `GET /v1/users/{id}/factors` and `DELETE /v1/users/{id}/factors/{factorId}` (docs/design/README.md "HTTP
 * API"), for the backend (API key). Removal is gated by a step-up like adding (S31).
 */
export function registerFactorRoutes(
  app: FastifyInstance,
  routes: RouteTable,
  deps: ChallengeDeps,
  webauthn: WebAuthnStore | undefined,
): void {
  routes.add(app, {
    method: 'GET',
    url: '/v1/users/:id/factors',
    auth: 'users',
    summary:
      "A user's factors, each with the highest level it can reach and when it last verified a challenge.",
    tags: ['users'],
    schemas: {
      params: { type: 'object', additionalProperties: false, required: ['id'], properties: { id } },
      responses: {
        200: { description: '`{ factors }`.', schema: factorListSchema },
        401: errorResponse('Missing or wrong API key.'),
      },
    },
    handler: async (request) => {
      const factors = await deps.store.listFactors((request.params as { id: string }).id);
      return { factors: factors.map(describeFactor) };
    },
  });
  routes.add(app, {
    method: 'DELETE',
    url: '/v1/users/:id/factors/:factorId',
    auth: 'users',
    summary:
      'Removes a factor after a step-up to its level (S31): without `stepUpToken`, answers a step_up with a challenge. Announced to the user.',
    tags: ['users'],
    schemas: {
      params: factorParamsSchema,
      body: factorRemovalSchema,
      responses: {
        200: {
          description: '`{ removed }`, or `{ decision: "step_up", requirement, challenge }`.',
          schema: { anyOf: [factorRemovedBody, enrollmentStepUpSchema] },
        },
        400: errorResponse('Malformed body (`invalid_request`).'),
        401: errorResponse('Missing or wrong API key.'),
        404: errorResponse('No such factor (`not_found`).'),
      },
    },
    handler: async (request, _reply, caller) => {
      const { id: userId, factorId } = request.params as { id: string; factorId: string };
      return removeFactor(deps, webauthn, userId, factorId, request.body as FactorRemovalRequest, caller!);
    },
  });
  routes.add(app, {
    method: 'DELETE',
    url: '/v1/users/:id',
    auth: 'users',
    summary:
      'Erases a user: contact points, factors, credentials, known devices, history and remembered-device tokens, after a step-up to their strongest level (as removing every factor, S31): without `stepUpToken`, answers a step_up with a challenge. Audited (`user.deleted`); earlier audit records stay.',
    tags: ['users'],
    schemas: {
      params: { type: 'object', additionalProperties: false, required: ['id'], properties: { id } },
      body: userDeletionSchema,
      responses: {
        200: {
          description:
            '`{ deleted: { userId, factors } }`, or `{ decision: "step_up", requirement, challenge }`.',
          schema: { anyOf: [userDeletedBody, enrollmentStepUpSchema] },
        },
        400: errorResponse('Malformed body, or `subject.id` is not the user (`invalid_request`).'),
        401: errorResponse('Missing or wrong API key.'),
        403: errorResponse('The key may not manage users (`forbidden`).'),
        404: errorResponse('No such user (`not_found`).'),
      },
    },
    handler: async (request, _reply, caller) => {
      const { id: userId } = request.params as { id: string };
      return deleteUser(deps, webauthn, userId, request.body as UserDeletionRequest, caller!);
    },
  });
}
