/**
 * `DELETE /v1/users/{id}/factors/{factorId}` (S31, NIST SP 800-63B §6.1.2.1): removing a factor
 * is gated exactly like adding one — an upgraded token from a step-up to the level of the factor
 * removed (or the user's strongest when none reaches it), bound to action
 * `stepgate.factor.remove` and `{ userId, factorId }`, single use — and announced.
 */
import { randomBytes } from 'node:crypto';
import {
  type EnrollmentStepUpAnswer,
  type FactorRemovalRequest,
  type FactorRemovedAnswer,
  StepgateError,
  transactionDigest,
} from '@stepgate/protocol';
import type { ChallengeDeps } from '../challenges/challenge-deps.js';
import { openChallenge } from '../challenges/open-challenge.js';
import type { WebAuthnStore } from '../stores/webauthn-store.js';
import { announceFactorRemoved } from './announce.js';
import { describeFactor } from './credential-data.js';
import { contactFactors, type ExistingFactor, storedFactors } from './existing-factors.js';
import { acceptFactorChangeToken, factorChangeRequirement } from './factor-change-requirement.js';

/** The action a removal step-up is bound to. */
export const REMOVAL_ACTION = 'stepgate.factor.remove';

/**
 * Removes a factor after a step-up; without a valid token, answers the `step_up` verdict with a
 * challenge (as `POST /v1/enrollments` does).
 *
 * @throws StepgateError `not_found` for an unknown factor; `invalid_request` when `subject.id`
 *   is not the user.
 * @example
 * const first = await removeFactor(deps, store, 'u1', 'fac_…', { subject }, { audience: 'default' });
 * // first.decision === 'step_up' → the widget verifies first.challenge → retry with stepUpToken
 */
export async function removeFactor(
  deps: ChallengeDeps,
  webauthn: WebAuthnStore | undefined,
  userId: string,
  factorId: string,
  body: FactorRemovalRequest,
  caller: { audience: string },
): Promise<FactorRemovedAnswer | EnrollmentStepUpAnswer> {
  if (body.subject.id !== userId) throw new StepgateError('invalid_request', 'subject.id must be the user');
  const [factors, user] = await Promise.all([deps.store.listFactors(userId), deps.store.getUser(userId)]);
  const target = factors.find((f) => f.id === factorId);
  if (!target) throw new StepgateError('not_found', 'no such factor');
  const levels = deps.methodLevels();
  const existing: ExistingFactor[] = [...storedFactors(factors, levels), ...contactFactors(user, levels)];
  const requirement = factorChangeRequirement(deps, existing, target.maxLevel);
  const transaction = { userId, factorId };
  const digest = await transactionDigest({ action: REMOVAL_ACTION, transaction });
  const now = deps.now();
  const provenLevel =
    body.stepUpToken === undefined
      ? undefined
      : await acceptFactorChangeToken(deps, {
          token: body.stepUpToken,
          userId,
          subject: body.subject,
          action: REMOVAL_ACTION,
          requirement,
          digest,
          audience: caller.audience,
          now,
        });
  if (provenLevel === undefined) {
    const challenge = await openChallenge(deps, {
      subject: body.subject,
      action: REMOVAL_ACTION,
      transaction,
      digest,
      requirement,
      methods: requirement.methods,
      decisionId: `rmq_${randomBytes(16).toString('base64url')}`,
      audience: caller.audience,
      now,
    });
    return { decision: 'step_up', requirement, challenge };
  }
  if (!(await deps.store.deleteFactor(userId, factorId)))
    throw new StepgateError('not_found', 'no such factor');
  await webauthn?.deleteByFactor(factorId);
  await deps.events.append({
    type: 'factor.removed',
    who: { userId, ...(body.subject.sessionId === undefined ? {} : { sessionId: body.subject.sessionId }) },
    what: { method: target.method, level: target.maxLevel },
    factorId,
    outcome: 'ok',
    detail: { provenLevel },
  });
  await announceFactorRemoved(deps, target, now);
  return { removed: describeFactor(target) };
}
