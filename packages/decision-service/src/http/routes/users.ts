import {
  enrollmentStepUpSchema,
  type FeedbackRequest,
  StepgateError,
  type UserUpsertAnswer,
  type UserUpsertRequest,
  type UserView,
} from '@stepgate/protocol';
import type { FastifyInstance } from 'fastify';
import { auditOrWithhold } from '../../audit/service-audit.js';
import { updateUser } from '../../enrollment/contact-change.js';
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
      'Set a user’s contact points and display name. A verified email or phone counts as an enrolled email_otp or sms_otp factor; null removes it. Changing one of a user who has a factor is a factor change (S31, S33): without `stepUpToken`, answers a step_up with a challenge and changes nothing; an admin key needs none. Announced at the old and the new address.',
    tags: ['users'],
    schemas: {
      params: userIdParamsSchema,
      body: userUpsertRequestSchema,
      responses: {
        200: {
          description: 'The user as stored, or `{ decision: "step_up", requirement, challenge }`.',
          schema: { anyOf: [userViewSchema, enrollmentStepUpSchema] },
        },
        400: errorResponse('Malformed body, or `subject.id` is not the user (`invalid_request`).'),
        401: errorResponse('Missing or wrong API key (`unauthorized`).'),
      },
    },
    handler: async (request, _reply, caller): Promise<UserUpsertAnswer> => {
      const { id } = request.params as { id: string };
      const answer = await updateUser(ctx.challengeDeps, id, request.body as UserUpsertRequest, caller!);
      return 'decision' in answer ? answer : userView(answer.user);
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
        404: errorResponse('No such decision, or one older than `decisions.retention` (`not_found`).'),
      },
    },
    handler: async (request, reply, caller) => {
      const { id } = request.params as { id: string };
      const body = request.body as FeedbackRequest;
      if (!(await ctx.store.setFeedback(id, body.label, body.note, ctx.now()))) {
        throw new StepgateError(
          'not_found',
          'no such decision (decisions are kept for feedback for decisions.retention)',
        );
      }
      // Audited too, so a backtest reads labels from the audit log (the note is not kept).
      await auditOrWithhold(
        ctx,
        ctx.audit.append({
          type: 'decision.feedback',
          who: caller ? { apiKeyId: caller.apiKeyId, audience: caller.audience } : {},
          decisionId: id,
          outcome: body.label,
        }),
      );
      return reply.status(204).send();
    },
  });
}
