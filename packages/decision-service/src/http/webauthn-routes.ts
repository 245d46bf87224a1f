import type { DeviceKeyEnrollmentRequest, WebAuthnRegistrationVerifyRequest } from '@stepgate/protocol';
import {
  challengeFailedSchema,
  deviceKeyEnrollmentSchema,
  factorAddedSchema,
  factorViewSchema,
  webAuthnRegistrationOptionsSchema,
  webAuthnRegistrationVerifySchema,
} from '@stepgate/protocol';
import type { FastifyInstance } from 'fastify';
import type { ChallengeDeps } from '../challenges/challenge-deps.js';
import type { WebAuthnContext } from '../challenges/webauthn.js';
import { enrollDeviceKey } from '../enrollment/device-key-enrollment.js';
import {
  registrationOptions,
  verifyRegistration,
  type WebAuthnRegistrationOptionsRequest,
} from '../enrollment/webauthn-registration.js';
import { answerError } from './browser-routes.js';
import { errorResponse, type RouteTable } from './route-table.js';
import { ticketOf, ticketParamsSchema, unknownTicket } from './routes/enrollments.js';

/** The protocol's factor view without its `$id` (embedded in another answer). */
const { $id: _factorViewId, ...factorViewBody } = factorViewSchema;

/** Body of `…/webauthn/options`. */
export const registrationOptionsRequestSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { method: { type: 'string', enum: ['webauthn', 'biometric'] } },
} as const;

/** Answer of `…/device-key`. */
export const deviceKeyEnrollmentAnswerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['factor', 'keyId'],
  properties: {
    factor: factorViewBody,
    keyId: { type: 'string', maxLength: 64 },
  },
} as const;

/**
 * Registration routes for the widget and the native app, with the ticket as the capability:
 * `POST /v1/enrollments/{ticket}/webauthn/options`, `…/webauthn/verify`, `…/device-key`.
 */
export function registerWebAuthnRoutes(
  app: FastifyInstance,
  routes: RouteTable,
  deps: ChallengeDeps,
  wa: WebAuthnContext,
): void {
  routes.add(app, {
    method: 'POST',
    url: '/v1/enrollments/:ticket/webauthn/options',
    auth: 'none',
    summary:
      'WebAuthn registration options (`method: "biometric"` asks for a platform authenticator with UV).',
    tags: ['enrollment'],
    schemas: {
      params: ticketParamsSchema,
      body: registrationOptionsRequestSchema,
      responses: {
        200: { description: 'The options.', schema: webAuthnRegistrationOptionsSchema },
        404: unknownTicket,
        503: errorResponse('WebAuthn is not configured (`service_unavailable`).'),
      },
    },
    handler: async (request) =>
      registrationOptions(
        deps,
        wa,
        ticketOf(request.params),
        (request.body ?? {}) as WebAuthnRegistrationOptionsRequest,
      ),
  });
  routes.add(app, {
    method: 'POST',
    url: '/v1/enrollments/:ticket/webauthn/verify',
    auth: 'none',
    summary: 'Verifies the registration; the factor is added, audited and announced.',
    tags: ['enrollment'],
    schemas: {
      params: ticketParamsSchema,
      body: webAuthnRegistrationVerifySchema,
      responses: {
        200: { description: 'The new factor.', schema: factorAddedSchema },
        400: { description: 'The registration failed (`challenge_failed`).', schema: challengeFailedSchema },
        404: unknownTicket,
      },
    },
    handler: async (request, reply) => {
      try {
        return await verifyRegistration(
          deps,
          wa,
          ticketOf(request.params),
          request.body as WebAuthnRegistrationVerifyRequest,
        );
      } catch (error) {
        return answerError(reply, error);
      }
    },
  });
  routes.add(app, {
    method: 'POST',
    url: '/v1/enrollments/:ticket/device-key',
    auth: 'none',
    summary: 'Registers a native P-256 device key as a biometric factor; answers its `keyId`.',
    tags: ['enrollment'],
    schemas: {
      params: ticketParamsSchema,
      body: deviceKeyEnrollmentSchema,
      responses: {
        200: { description: 'The new factor and its key id.', schema: deviceKeyEnrollmentAnswerSchema },
        400: errorResponse('Not a P-256 public key, or the ticket cannot add biometric (`invalid_request`).'),
        404: unknownTicket,
      },
    },
    handler: async (request) =>
      enrollDeviceKey(deps, wa, ticketOf(request.params), request.body as DeviceKeyEnrollmentRequest),
  });
}
