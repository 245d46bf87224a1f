import { randomBytes } from 'node:crypto';
import { methodCap } from '@stepgate/policy-engine';
import {
  type EnrollmentRequest,
  type EnrollmentStepUpAnswer,
  type EnrollmentTicketAnswer,
  type Level,
  type Method,
  maxLevel,
  StepgateError,
} from '@stepgate/protocol';
import type { ChallengeDeps } from '../challenges/challenge-deps.js';
import type { EnrollmentTicketRecord } from '../stores/challenge-store.js';
import { existingFactors } from './existing-factors.js';
import { factorChangeRequirement, gateFactorChange } from './factor-change-requirement.js';

/** Methods that enrollment tickets can add on this service (WebAuthn follows). */
export const ENROLLABLE_METHODS: readonly Method[] = ['totp', 'webauthn', 'biometric'];

/** The action a step-up for enrollment is bound to. */
export const ENROLLMENT_ACTION = 'stepgate.factor.add';

/** An enrollment ticket: `enr_` + 160 random bits. */
export const newTicketId = (): string => `enr_${randomBytes(20).toString('base64url')}`;

/**
 * The highest level a factor added with a ticket for `methods` could reach: each method's cap
 * under the policies in force (WebAuthn and biometric given aal2 reach aal3 device-bound with UV),
 * so that a user with an aal3 factor proves aal3 before adding a passkey (S33).
 *
 * @example
 * enrollmentTarget(['totp', 'webauthn'], DEFAULT_METHOD_LEVELS); // 'aal3'
 */
export function enrollmentTarget(methods: readonly Method[], levels: Readonly<Record<Method, Level>>): Level {
  return methods.map((m) => methodCap(m, levels[m])).reduce(maxLevel);
}

/**
 * `POST /v1/enrollments` (S31, S33, NIST SP 800-63B §6.1.2.1): a ticket for a user's first factor
 * on any session; otherwise only with an upgraded token from a step-up to the highest level the
 * new factor could reach ({@link enrollmentTarget}) — or with the strongest factor when none
 * reaches it. Without such a token the answer is a `step_up` with a challenge, bound to action
 * `stepgate.factor.add`. The ticket keeps the level the token proved (`provenLevel`), which caps
 * the factor added with it.
 *
 * @throws StepgateError `invalid_request` for a method enrollment cannot add.
 * @example
 * const answer = await requestEnrollment(deps, { userId: 'u1', subject: { id: 'u1', acr: 'aal1' }, method: 'webauthn' }, { audience: 'default' });
 * // 'ticket' in answer, or answer.decision === 'step_up' → verify answer.challenge, call again with stepUpToken
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
  let provenLevel: Level | undefined;
  if (existing.length > 0) {
    const target = enrollmentTarget(methods, deps.methodLevels());
    const gate = await gateFactorChange(deps, {
      userId: body.userId,
      subject: body.subject,
      stepUpToken: body.stepUpToken,
      action: ENROLLMENT_ACTION,
      transaction: { userId: body.userId, methods },
      requirement: factorChangeRequirement(deps, existing, target),
      audience: caller.audience,
      now,
      idPrefix: 'enq',
    });
    if ('stepUp' in gate) return gate.stepUp;
    provenLevel = gate.provenLevel;
  }
  const ticket: EnrollmentTicketRecord = {
    id: newTicketId(),
    userId: body.userId,
    methods,
    createdAt: now,
    expiresAt: now + deps.enrollment.ticketLifetime * 1000,
    attempts: 0,
    ...(body.subject.sessionId === undefined ? {} : { sessionId: body.subject.sessionId }),
    ...(provenLevel === undefined ? {} : { provenLevel }),
  };
  await deps.challenges.insertTicket(ticket);
  return { ticket: ticket.id, expiresAt: new Date(ticket.expiresAt).toISOString() };
}
