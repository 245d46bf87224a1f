/**
 * `PUT /v1/users/{id}`: display name and contact points. An email address and a phone number
 * count as `email_otp` / `sms_otp` factors (docs/design/flows.md "Methods and what they prove"), so adding, replacing
 * or removing one is a factor change (S31, S33): gated like adding or removing a factor, audited
 * as `factor.added` / `factor.removed`, and announced at the old and the new address.
 */
import {
  type EnrollmentStepUpAnswer,
  type Level,
  maxLevel,
  StepgateError,
  type Subject,
  type UserUpsertRequest,
} from '@stepgate/protocol';
import type { ChallengeDeps } from '../challenges/challenge-deps.js';
import type { Caller } from '../service-context.js';
import type { UserRecord } from '../stores/store.js';
import { announceContactChange, type ContactChange, maskContact } from './announce.js';
import { existingFactors } from './existing-factors.js';
import { factorChangeRequirement, gateFactorChange } from './factor-change-requirement.js';

/** The action a contact change's step-up is bound to, with `{ userId, email?, phone? }`. */
export const CONTACT_ACTION = 'stepgate.contact.change';

const FIELDS = [
  ['email', 'email_otp'],
  ['phone', 'sms_otp'],
] as const;

/** What allowed a contact change, as its audit events record it. */
type ChangeBasis =
  | { provenLevel: Level }
  | { levelAboveProof: true; reason: 'first_factor' }
  | { reason: 'admin_key' };

/** The contact points a request changes (a value equal to the stored one is no change). */
function contactChanges(before: UserRecord | undefined, body: UserUpsertRequest): ContactChange[] {
  const changes: ContactChange[] = [];
  for (const [field, method] of FIELDS) {
    const value = body[field];
    if (value === undefined) continue;
    const from = before?.[field];
    const to = value ?? undefined;
    if (to === from) continue;
    changes.push({ method, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) });
  }
  return changes;
}

/**
 * Applies a `PUT /v1/users/{id}` body. A display name alone, or a user's first contact points
 * (the user has no factor at all), is a plain update. Any other change of email or phone needs,
 * from an audience key, an upgraded token from a step-up to the level of the contact points
 * changed (or the user's strongest factor when none reaches it), bound to action
 * `stepgate.contact.change` and `{ userId, email?, phone? }` (the new values, `null` for a
 * removal), single use; without it the answer is the `step_up` of the factor routes and nothing
 * changes. An admin key may change contact points without a step-up (operator recovery); that is
 * audited with `reason: admin_key` and the key's id, and announced like any other change.
 *
 * @returns the stored user, or the step-up to run first.
 * @throws StepgateError `invalid_request` when `subject.id` is not the user.
 * @example
 * const first = await updateUser(deps, 'u1', { phone: '+33612345678', subject }, caller);
 * // 'decision' in first → the widget verifies first.challenge → the same call with stepUpToken
 */
export async function updateUser(
  deps: ChallengeDeps,
  userId: string,
  body: UserUpsertRequest,
  caller: Caller,
): Promise<{ user: UserRecord } | EnrollmentStepUpAnswer> {
  const subject: Subject = body.subject ?? { id: userId };
  if (subject.id !== userId) throw new StepgateError('invalid_request', 'subject.id must be the user');
  const now = deps.now();
  const before = await deps.store.getUser(userId);
  const user: UserRecord = { ...before, id: userId, updatedAt: now };
  if (body.displayName !== undefined) user.displayName = body.displayName;
  const changes = contactChanges(before, body);
  for (const c of changes) {
    const field = c.method === 'email_otp' ? 'email' : 'phone';
    if (c.to === undefined) delete user[field];
    else user[field] = c.to;
  }
  if (changes.length === 0) {
    await deps.store.upsertUser(user);
    return { user };
  }
  const existing = await existingFactors(deps, userId);
  let basis: ChangeBasis;
  if (existing.length === 0) basis = { levelAboveProof: true, reason: 'first_factor' };
  else if (caller.admin) basis = { reason: 'admin_key' };
  else {
    const levels = deps.methodLevels();
    const requirement = factorChangeRequirement(
      deps,
      existing,
      changes.map((c) => levels[c.method]).reduce(maxLevel),
    );
    const transaction: Record<string, string | null> = { userId };
    for (const c of changes) transaction[c.method === 'email_otp' ? 'email' : 'phone'] = c.to ?? null;
    const gate = await gateFactorChange(deps, {
      userId,
      subject,
      stepUpToken: body.stepUpToken,
      action: CONTACT_ACTION,
      transaction,
      requirement,
      audience: caller.audience,
      now,
      idPrefix: 'ctq',
    });
    if ('stepUp' in gate) return gate.stepUp;
    basis = { provenLevel: gate.provenLevel };
  }
  await deps.store.upsertUser(user);
  await auditChanges(deps, user, changes, basis, subject, caller);
  // A first contact point is the user's own new address: there is nobody else to warn.
  if (existing.length > 0) {
    await announceContactChange(deps, {
      userId,
      changes,
      before: before ?? {},
      after: user,
      at: now,
    });
  }
  return { user };
}

/** `factor.removed` for each contact point replaced or removed, `factor.added` for each new one. */
async function auditChanges(
  deps: ChallengeDeps,
  user: UserRecord,
  changes: readonly ContactChange[],
  basis: ChangeBasis,
  subject: Subject,
  caller: Caller,
): Promise<void> {
  const levels = deps.methodLevels();
  const who = {
    userId: user.id,
    ...(subject.sessionId === undefined ? {} : { sessionId: subject.sessionId }),
    apiKeyId: caller.apiKeyId,
    audience: caller.audience,
  };
  for (const c of changes) {
    const what = { method: c.method, level: levels[c.method] };
    if (c.from !== undefined) {
      const detail = 'provenLevel' in basis ? { provenLevel: basis.provenLevel } : { reason: basis.reason };
      await deps.events.append({
        type: 'factor.removed',
        who,
        what,
        outcome: 'ok',
        detail: { ...detail, contact: maskContact(c.method, c.from) },
      });
    }
    if (c.to !== undefined) {
      await deps.events.append({
        type: 'factor.added',
        who,
        what,
        outcome: 'ok',
        detail: { ...basis, contact: maskContact(c.method, c.to) },
      });
    }
  }
}
