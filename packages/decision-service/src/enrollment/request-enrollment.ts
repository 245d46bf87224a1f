import { randomBytes } from 'node:crypto';
import {
  type EnrollmentRequest,
  type EnrollmentStepUpAnswer,
  type EnrollmentTicketAnswer,
  type Level,
  type Method,
  maxLevel,
  StepgateError,
  transactionDigest,
} from '@stepgate/protocol';
import type { ChallengeDeps } from '../challenges/challenge-deps.js';
import { openChallenge } from '../challenges/open-challenge.js';
import { acceptFactorChangeToken, factorChangeRequirement } from './factor-change-requirement.js';

/** Methods that enrollment tickets can add on this service (WebAuthn follows). */
export const ENROLLABLE_METHODS: readonly Method[] = ['totp', 'webauthn', 'biometric'];

/** The action a step-up for enrollment is bound to. */
export const ENROLLMENT_ACTION = 'stepgate.factor.add';

/** An enrollment ticket: `enr_` + 160 random bits. */
export const newTicketId = (): string => `enr_${randomBytes(20).toString('base64url')}`;

/** The user's existing factors with their level: stored factors, plus email and phone (DESIGN.md). */
async function existingFactors(deps: ChallengeDeps, userId: string) {
  const levels = deps.methodLevels();
  const [factors, user] = await Promise.all([deps.store.listFactors(userId), deps.store.getUser(userId)]);
  const out: Array<{ method: Method; maxLevel: Level }> = factors.map((f) => ({
    method: f.method,
    maxLevel: f.maxLevel,
  }));
  if (user?.email) out.push({ method: 'email_otp', maxLevel: levels.email_otp });
  if (user?.phone) out.push({ method: 'sms_otp', maxLevel: levels.sms_otp });
  return out;
}

/**
 * `POST /v1/enrollments` (S31, NIST SP 800-63B §6.1.2.1): a ticket for a user's first factor on
 * any session; otherwise only with an upgraded token from a step-up to the level of the factor
 * being added — or with the strongest factor when none reaches it. Without such a token the
 * answer is a `step_up` with a challenge, bound to action `stepgate.factor.add`.
 *
 * @throws StepgateError `invalid_request` for a method enrollment cannot add.
 */
export async function requestEnrollment(
  deps: ChallengeDeps,
  body: EnrollmentRequest,
  caller: { audience: string },
): Promise<EnrollmentTicketAnswer | EnrollmentStepUpAnswer> {
  if (body.subject.id !== body.userId) {
    throw new StepgateError('invalid_request', 'subject.id must be the enrolling user');
  }
  if (body.method !== undefined && !ENROLLABLE_METHODS.includes(body.method)) {
    throw new StepgateError(
      'invalid_request',
      body.method === 'email_otp' || body.method === 'sms_otp'
        ? 'email and phone are set with PUT /v1/users/{id}'
        : `${body.method} cannot be enrolled on this service yet`,
    );
  }
  const now = deps.now();
  const methods = body.method === undefined ? [...ENROLLABLE_METHODS] : [body.method];
  const existing = await existingFactors(deps, body.userId);
  if (existing.length > 0) {
    const levels = deps.methodLevels();
    const target = methods.map((m) => levels[m]).reduce(maxLevel);
    const requirement = factorChangeRequirement(deps, existing, target);
    const transaction = { userId: body.userId, methods };
    const digest = await transactionDigest({ action: ENROLLMENT_ACTION, transaction });
    const satisfied =
      body.stepUpToken !== undefined &&
      (await acceptFactorChangeToken(deps, {
        token: body.stepUpToken,
        userId: body.userId,
        subject: body.subject,
        action: ENROLLMENT_ACTION,
        requirement,
        digest,
        audience: caller.audience,
        now,
      }));
    if (!satisfied) {
      const challenge = await openChallenge(deps, {
        subject: body.subject,
        action: ENROLLMENT_ACTION,
        transaction,
        digest,
        requirement,
        methods: requirement.methods,
        decisionId: `enq_${randomBytes(16).toString('base64url')}`,
        audience: caller.audience,
        now,
      });
      return { decision: 'step_up', requirement, challenge };
    }
  }
  const ticket = {
    id: newTicketId(),
    userId: body.userId,
    methods,
    createdAt: now,
    expiresAt: now + deps.enrollment.ticketLifetime * 1000,
    attempts: 0,
    ...(body.subject.sessionId === undefined ? {} : { sessionId: body.subject.sessionId }),
  };
  await deps.challenges.insertTicket(ticket);
  return { ticket: ticket.id, expiresAt: new Date(ticket.expiresAt).toISOString() };
}
