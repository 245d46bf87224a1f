import { randomBytes } from 'node:crypto';
import { checkRequirement, METHOD_PREFERENCE } from '@stepgate/policy-engine';
import {
  type EnrollmentStepUpAnswer,
  type Level,
  levelAtLeast,
  levelFromAcr,
  type Method,
  maxLevel,
  type Requirement,
  type Subject,
  type Transaction,
  transactionDigest,
} from '@stepgate/protocol';
import type { ChallengeDeps } from '../challenges/challenge-deps.js';
import { openChallenge } from '../challenges/open-challenge.js';

/**
 * The step-up before adding or removing a factor of `target` level when the user already has
 * `existing` factors (S31, NIST SP 800-63B §6.1.2.1): to the level of that factor, or with the
 * strongest factor when none reaches it; for this change only (bound, single use). It does not
 * restrict methods (`restrictsMethods`): S31 asks for the level, which the token's `acr` proves
 * (S33), and `methods` lists every factor of the user that reaches it.
 */
export function factorChangeRequirement(
  deps: Pick<ChallengeDeps, 'acrValues'>,
  existing: ReadonlyArray<{ method: Method; maxLevel: Level }>,
  target: Level,
): Requirement {
  const strongest = existing.map((f) => f.maxLevel).reduce(maxLevel);
  const level = levelAtLeast(strongest, target) ? target : strongest;
  const usable = new Set(existing.filter((f) => levelAtLeast(f.maxLevel, level)).map((f) => f.method));
  return {
    level,
    acr: deps.acrValues[level],
    maxAge: 0,
    methods: METHOD_PREFERENCE.filter((m) => usable.has(m)),
    bindTransaction: true,
    singleUse: true,
  };
}

/**
 * Verifies the upgraded token presented for a factor change (its user, action, transaction digest
 * and level against `requirement`) and consumes it (once per token, S17).
 *
 * @returns the level the step-up proved — read from the verified token's `acr`, never from the
 *   request (S33) — or undefined when the token does not open this change.
 * @example
 * const proven = await acceptFactorChangeToken(deps, { token, userId, subject, action, requirement, digest, audience, now });
 * if (proven === undefined) { ... answer step_up ... }
 */
export async function acceptFactorChangeToken(
  deps: Pick<ChallengeDeps, 'tokens' | 'store' | 'acrValues'>,
  p: {
    token: string;
    userId: string;
    subject: Subject;
    action: string;
    requirement: Requirement;
    digest: string;
    audience: string;
    now: number;
  },
): Promise<Level | undefined> {
  const verified = await deps.tokens.verifyStepUpToken(p.token, p.audience);
  if (!verified.ok || verified.claims.sub !== p.userId) return undefined;
  const proven = levelFromAcr(verified.claims.acr, deps.acrValues);
  if (proven === undefined) return undefined;
  const check = checkRequirement(p.requirement, {
    now: Math.floor(p.now / 1000),
    subject: p.subject,
    action: p.action,
    digest: p.digest,
    token: verified.claims,
    acrValues: deps.acrValues,
  });
  if (!check.satisfied) return undefined;
  const fresh = await deps.store.consumeJti(verified.claims.jti, verified.claims.exp * 1000 + 60_000, p.now);
  return fresh ? proven : undefined;
}

/**
 * The step-up gate of a factor change (S31): with a token that opens this change — its user,
 * action, transaction and level, once — the level it proved; without one, the `step_up` answer
 * with a challenge bound to the change, single use.
 *
 * @example
 * const gate = await gateFactorChange(deps, { userId, subject, stepUpToken, action: 'stepgate.factor.remove',
 *   transaction: { userId, factorId }, requirement, audience, now, idPrefix: 'rmq' });
 * if ('stepUp' in gate) return gate.stepUp;
 */
export async function gateFactorChange(
  deps: ChallengeDeps,
  p: {
    userId: string;
    subject: Subject;
    stepUpToken: string | undefined;
    action: string;
    transaction: Transaction;
    requirement: Requirement;
    audience: string;
    now: number;
    /** Starts the id of the request the challenge answers (`rmq`, `enq`…): which change opened it. */
    idPrefix: string;
  },
): Promise<{ provenLevel: Level } | { stepUp: EnrollmentStepUpAnswer }> {
  const digest = await transactionDigest({ action: p.action, transaction: p.transaction });
  const provenLevel =
    p.stepUpToken === undefined
      ? undefined
      : await acceptFactorChangeToken(deps, {
          token: p.stepUpToken,
          userId: p.userId,
          subject: p.subject,
          action: p.action,
          requirement: p.requirement,
          digest,
          audience: p.audience,
          now: p.now,
        });
  if (provenLevel !== undefined) return { provenLevel };
  const challenge = await openChallenge(deps, {
    subject: p.subject,
    action: p.action,
    transaction: p.transaction,
    digest,
    requirement: p.requirement,
    methods: p.requirement.methods,
    decisionId: `${p.idPrefix}_${randomBytes(16).toString('base64url')}`,
    audience: p.audience,
    now: p.now,
  });
  return { stepUp: { decision: 'step_up', requirement: p.requirement, challenge } };
}
