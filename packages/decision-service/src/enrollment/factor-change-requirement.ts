import { checkRequirement, METHOD_PREFERENCE } from '@stepgate/policy-engine';
import {
  type Level,
  levelAtLeast,
  levelFromAcr,
  type Method,
  maxLevel,
  type Requirement,
  type Subject,
} from '@stepgate/protocol';
import type { ChallengeDeps } from '../challenges/challenge-deps.js';

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
