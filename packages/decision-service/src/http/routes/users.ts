import {
  type FeedbackRequest,
  StepgateError,
  type UserUpsertRequest,
  type UserView,
} from '@stepgate/protocol';
import type { FastifyInstance } from 'fastify';
import type { UserRecord } from '../../stores/store.js';
import { feedbackRequestSchema, userUpsertRequestSchema, userViewSchema } from '../protocol-schemas.js';
import { errorResponse, type RouteTable } from '../route-table.js';
import { decisionIdParamsSchema, userIdParamsSchema } from '../schemas.js';

/** The public view of a stored user. */
export function userView(record: UserRecord): UserView {
  const view: UserView = { id: record.id };
  if (record.displayName !== undefined) view.displayName = record.displayName;
  if (record.email !== undefined) view.email = record.email;
  if (record.phone !== undefined) view.phone = record.phone;
  return view;
}

/** `PUT /v1/users/{id}` and `POST /v1/decisions/{id}/feedback`. */
export function registerUserRoutes(app: FastifyInstance, routes: RouteTable): void {
  const { ctx } = app.stepgate;
  routes.add(app, {
    method: 'PUT',
    url: '/v1/users/:id',
    auth: 'users',
    summary:
      'Set a user’s contact points and display name. A verified email or phone counts as an enrolled email_otp or sms_otp factor; null removes it.',
    tags: ['users'],
    schemas: {
      params: userIdParamsSchema,
      body: userUpsertRequestSchema,
      responses: {
        200: { description: 'The user as stored.', schema: userViewSchema },
        400: errorResponse('Malformed body (`invalid_request`).'),
        401: errorResponse('Missing or wrong API key (`unauthorized`).'),
      },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const body = request.body as UserUpsertRequest;
      const existing = await ctx.store.getUser(id);
      const record: UserRecord = { ...existing, id, updatedAt: ctx.now() };
      for (const field of ['displayName', 'email', 'phone'] as const) {
        const value = body[field];
        if (value === null) delete record[field];
        else if (value !== undefined) record[field] = value;
      }
      await ctx.store.upsertUser(record);
      return userView(record);
    },
  });

  routes.add(app, {
    method: 'POST',
    url: '/v1/decisions/:id/feedback',
    auth: 'api',
    summary: 'Mark a decision’s outcome as fraud or legit, for tuning.',
    tags: ['decisions'],
    schemas: {
      params: decisionIdParamsSchema,
      body: feedbackRequestSchema,
      responses: {
        204: { description: 'Recorded.' },
        400: errorResponse('Malformed body (`invalid_request`).'),
        401: errorResponse('Missing or wrong API key (`unauthorized`).'),
        404: errorResponse('No such decision (`not_found`).'),
      },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const body = request.body as FeedbackRequest;
      if (!(await ctx.store.setFeedback(id, body.label, body.note, ctx.now()))) {
        throw new StepgateError('not_found', 'no such decision');
      }
      return reply.status(204).send();
    },
  });
}
