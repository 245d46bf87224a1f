import type { EnrollmentRequest, TotpConfirmRequest } from '@stepgate/protocol';
import {
  challengeFailedSchema,
  enrollmentRequestSchema,
  enrollmentStepUpSchema,
  enrollmentTicketSchema,
  enrollmentViewSchema,
  factorAddedSchema,
  totpConfirmRequestSchema,
  totpEnrollmentSchema,
} from '@stepgate/protocol';
import type { FastifyInstance } from 'fastify';
import type { EnrollmentService } from '../../enrollment/enrollment-service.js';
import { answerError } from '../browser-routes.js';
import { errorResponse, type RouteTable } from '../route-table.js';

/** `{ ticket }` path parameter. */
export const ticketParamsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ticket'],
  properties: { ticket: { type: 'string', minLength: 1, maxLength: 256 } },
} as const;

/** The ticket of a `{ ticket }` route. */
export const ticketOf = (params: unknown) => (params as { ticket: string }).ticket;
/** The documented answer for a ticket that cannot be used. */
export const unknownTicket = errorResponse('Unknown, used or expired ticket (`not_found`).');

/**
 * Enrollment routes (docs/design/wire-contract.md "HTTP API (v1)"): `POST /v1/enrollments` for the backend (API key);
 * the ticket routes for the widget, with the ticket as the capability.
 */
export function registerEnrollmentRoutes(
  app: FastifyInstance,
  routes: RouteTable,
  enrollment: EnrollmentService,
): void {
  routes.add(app, {
    method: 'POST',
    url: '/v1/enrollments',
    auth: 'users',
    summary: 'A ticket to add a factor, or a step_up first when the user already has one (S31).',
    tags: ['enrollment'],
    schemas: {
      body: enrollmentRequestSchema,
      responses: {
        200: {
          description: '`{ ticket, expiresAt }` or `{ decision: "step_up", requirement, challenge }`.',
          schema: { anyOf: [enrollmentTicketSchema, enrollmentStepUpSchema] },
        },
        400: errorResponse('Malformed body (`invalid_request`).'),
        401: errorResponse('Missing or wrong API key.'),
      },
    },
    handler: async (request, _reply, caller) =>
      enrollment.request(request.body as EnrollmentRequest, caller!),
  });
  routes.add(app, {
    method: 'GET',
    url: '/v1/enrollments/:ticket',
    auth: 'none',
    summary: 'Who is enrolling, the methods that can be added, existing factors.',
    tags: ['enrollment'],
    schemas: {
      params: ticketParamsSchema,
      responses: { 200: { description: 'The ticket.', schema: enrollmentViewSchema }, 404: unknownTicket },
    },
    handler: async (request) => enrollment.view(ticketOf(request.params)),
  });
  routes.add(app, {
    method: 'POST',
    url: '/v1/enrollments/:ticket/totp',
    auth: 'none',
    summary: 'A new TOTP secret and its otpauth URI (shown once); the factor counts after confirmation.',
    tags: ['enrollment'],
    schemas: {
      params: ticketParamsSchema,
      body: { type: 'object', additionalProperties: false, maxProperties: 0 },
      responses: { 200: { description: 'The secret.', schema: totpEnrollmentSchema }, 404: unknownTicket },
    },
    handler: async (request) => enrollment.startTotp(ticketOf(request.params)),
  });
  routes.add(app, {
    method: 'POST',
    url: '/v1/enrollments/:ticket/totp/confirm',
    auth: 'none',
    summary: 'Confirms the TOTP secret with a code; the factor is added and announced.',
    tags: ['enrollment'],
    schemas: {
      params: ticketParamsSchema,
      body: totpConfirmRequestSchema,
      responses: {
        200: { description: 'The new factor.', schema: factorAddedSchema },
        400: { description: 'Wrong code (`challenge_failed`).', schema: challengeFailedSchema },
        404: unknownTicket,
      },
    },
    handler: async (request, reply) => {
      try {
        return await enrollment.confirmTotp(ticketOf(request.params), request.body as TotpConfirmRequest);
      } catch (error) {
        return answerError(reply, error);
      }
    },
  });
}
