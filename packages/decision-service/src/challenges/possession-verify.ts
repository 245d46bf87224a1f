import { type Amr, type Level, levelAtLeast, type Method, type VerifyRequest } from '@stepgate/protocol';
import type { ChallengeRecord, FactorRecord } from '../stores/store.js';
import { matchPossession } from './biometric.js';
import type { ChallengeDeps } from './challenge-deps.js';
import type { WebAuthnContext } from './webauthn.js';

/** What a possession method proved: the level it reaches and its `amr`. */
export interface PossessionProof {
  level: Level;
  amr: Amr[];
}

/** Whether a method is checked by this module (rather than by a code). */
export const isPossessionMethod = (method: Method): method is 'webauthn' | 'biometric' =>
  method === 'webauthn' || method === 'biometric';

/**
 * The policy's cap on a possession method, as the engine computes it: `aal2` in the policy means
 * "up to aal3 for a factor that reaches it"; a lower level is a real cap.
 */
export function possessionCap(policyLevel: Level): Level {
  return policyLevel === 'aal2' ? 'aal3' : policyLevel;
}

/**
 * The `compare` step of `verify` for `webauthn` and `biometric`: the possession check against
 * the challenge's captured factors (S13, S24), with the level capped by the policies in force.
 * A clone suspicion (S14) is logged as a warning besides the `challenge.failed` event.
 *
 * @example
 * const match = await comparePossession(deps, wa, challenge, openFactors, body, Date.now());
 */
export async function comparePossession(
  deps: Pick<ChallengeDeps, 'methodLevels' | 'log'>,
  wa: WebAuthnContext | undefined,
  c: ChallengeRecord,
  factors: FactorRecord[],
  body: VerifyRequest,
  now: number,
): Promise<{ ok: true; factor: FactorRecord; proof: PossessionProof } | { ok: false; failure: string }> {
  if (!wa || !isPossessionMethod(body.method)) return { ok: false, failure: 'method_unavailable' };
  const match = await matchPossession(wa, c, factors, body, now);
  if (!match.ok) {
    if (match.failure === 'clone_suspected') {
      deps.log.warn(
        { challengeId: c.id, userId: c.userId, factorId: match.factor?.id },
        'webauthn clone suspected: signature counter did not grow',
      );
    }
    return { ok: false, failure: match.failure };
  }
  const cap = possessionCap(deps.methodLevels()[body.method]);
  const level = levelAtLeast(cap, match.level) ? match.level : cap;
  return { ok: true, factor: match.factor, proof: { level, amr: match.amr } };
}
