/**
 * `DELETE /v1/users/{id}`: erases what the store holds about a user (contact points, factors,
 * WebAuthn credentials, known devices and fingerprints, last place, history, remembered-device
 * tokens). Gated as removing every factor at once is (S31): an upgraded token from a step-up to the
 * user's strongest level, bound to action `stepgate.user.delete` and `{ userId }`, single use. A
 * user with no factor and no contact point has nothing to prove with, and nothing to protect:
 * erased at once; so is any user when an admin key asks (an operator acting on an erasure
 * request, as for contact points: audited with `reason: admin_key` and the key's id). Audited as
 * `user.deleted` and announced at the contact points the user had (S31: every factor change is);
 * the audit log keeps the user's earlier records.
 */
import {
  type EnrollmentStepUpAnswer,
  type Level,
  StepgateError,
  type UserDeletedAnswer,
  type UserDeletionRequest,
} from '@stepgate/protocol';
import type { ChallengeDeps } from '../challenges/challenge-deps.js';
import type { Caller } from '../service-context.js';
import type { WebAuthnStore } from '../stores/webauthn-store.js';
import { announceUserErased } from './announce.js';
import { contactFactors, storedFactors } from './existing-factors.js';
import { factorChangeRequirement, gateFactorChange } from './factor-change-requirement.js';

/** The action an erasure's step-up is bound to. */
export const USER_DELETION_ACTION = 'stepgate.user.delete';

/**
 * Erases a user after a step-up to their strongest level; without a valid token, answers the
 * `step_up` verdict with a challenge (as a factor removal does).
 *
 * @throws StepgateError `not_found` when the store holds nothing about the user; `invalid_request`
 *   when `subject.id` is not the user.
 * @example
 * const first = await deleteUser(deps, webauthn, 'u1', { subject }, caller);
 * // first.decision === 'step_up' → the widget verifies first.challenge → retry with stepUpToken
 */
export async function deleteUser(
  deps: ChallengeDeps,
  webauthn: WebAuthnStore | undefined,
  userId: string,
  body: UserDeletionRequest,
  caller: Caller,
): Promise<UserDeletedAnswer | EnrollmentStepUpAnswer> {
  if (body.subject.id !== userId) throw new StepgateError('invalid_request', 'subject.id must be the user');
  const [factors, user] = await Promise.all([deps.store.listFactors(userId), deps.store.getUser(userId)]);
  const levels = deps.methodLevels();
  const existing = [...storedFactors(factors, levels), ...contactFactors(user, levels)];
  let basis: { provenLevel: Level } | { reason: 'no_factor' | 'admin_key' } = { reason: 'no_factor' };
  if (existing.length > 0 && caller.admin) basis = { reason: 'admin_key' };
  else if (existing.length > 0) {
    const gate = await gateFactorChange(deps, {
      userId,
      subject: body.subject,
      stepUpToken: body.stepUpToken,
      action: USER_DELETION_ACTION,
      transaction: { userId },
      // The strongest level the user has (the target is above every factor).
      requirement: factorChangeRequirement(deps, existing, 'aal3'),
      audience: caller.audience,
      now: deps.now(),
      idPrefix: 'udq',
    });
    if ('stepUp' in gate) return gate.stepUp;
    basis = { provenLevel: gate.provenLevel };
  }
  // Credentials first: a credential left behind a deleted factor could never be used, but would
  // still hold the user's public key.
  for (const f of factors) await webauthn?.deleteByFactor(f.id);
  if (!(await deps.store.deleteUser(userId))) throw new StepgateError('not_found', 'no such user');
  await deps.events.append({
    type: 'user.deleted',
    who: {
      userId,
      ...(body.subject.sessionId === undefined ? {} : { sessionId: body.subject.sessionId }),
      apiKeyId: caller.apiKeyId,
      audience: caller.audience,
    },
    outcome: 'ok',
    detail: basis,
  });
  await announceUserErased(deps, {
    userId,
    contacts: {
      ...(user?.email ? { email: user.email } : {}),
      ...(user?.phone ? { phone: user.phone } : {}),
    },
    factors,
    at: deps.now(),
  });
  return { deleted: { userId, factors: factors.length } };
}
