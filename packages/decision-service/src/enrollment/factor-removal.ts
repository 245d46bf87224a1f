/**
 * `DELETE /v1/users/{id}/factors/{factorId}` (S31, NIST SP 800-63B §6.1.2.1): removing a factor
 * is gated exactly like adding one — an upgraded token from a step-up to the level of the factor
 * removed (or the user's strongest when none reaches it), bound to action
 * `stepgate.factor.remove` and `{ userId, factorId }`, single use — and announced.
 */
import {
  type EnrollmentStepUpAnswer,
  type FactorRemovalRequest,
  type FactorRemovedAnswer,
  StepgateError,
} from '@stepgate/protocol';
import type { ChallengeDeps } from '../challenges/challenge-deps.js';
import type { WebAuthnStore } from '../stores/webauthn-store.js';
import { announceFactorRemoved } from './announce.js';
import { describeFactor } from './credential-data.js';
import { contactFactors, type ExistingFactor, storedFactors } from './existing-factors.js';
import { factorChangeRequirement, gateFactorChange } from './factor-change-requirement.js';

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
  const now = deps.now();
  const gate = await gateFactorChange(deps, {
    userId,
    subject: body.subject,
    stepUpToken: body.stepUpToken,
    action: REMOVAL_ACTION,
    transaction: { userId, factorId },
    requirement: factorChangeRequirement(deps, existing, target.maxLevel),
    audience: caller.audience,
    now,
    idPrefix: 'rmq',
  });
  if ('stepUp' in gate) return gate.stepUp;
  const { provenLevel } = gate;
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
