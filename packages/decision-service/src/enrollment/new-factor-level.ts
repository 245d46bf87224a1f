/**
 * The level a factor added with an enrollment ticket is stored at (S33, NIST SP 800-63B
 * §6.1.2.1: bind a new authenticator only after authenticating at the AAL at which it will be
 * used): the level the credential itself can reach, capped at the level the ticket's step-up
 * proved — save two documented exceptions (docs/challenges.md "Enrollment").
 */
import { type Level, levelAtLeast, StepgateError } from '@stepgate/protocol';
import type { ChallengeDeps } from '../challenges/challenge-deps.js';
import type { EnrollmentTicketRecord } from '../stores/challenge-store.js';
import { existingFactors } from './existing-factors.js';

/**
 * Why a factor's level is not simply min(credential, proof): `first_factor` (no step-up was
 * possible) and `no_factor_at_level` (no factor of the user reaches the new one's level, so none
 * could prove it) lift it to the credential's own level; `capped_to_proof` lowers it.
 */
export type FactorLevelReason = 'first_factor' | 'no_factor_at_level' | 'capped_to_proof';

/** The stored level of a new factor and what its `factor.added` audit event records about it. */
export interface NewFactorLevel {
  maxLevel: Level;
  detail: {
    /** The level the ticket's step-up proved; absent for a first factor. */
    provenLevel?: Level;
    /** The factor was stored above what was proven (one of the two exceptions). */
    levelAboveProof?: true;
    reason?: FactorLevelReason;
  };
}

/** The answer for a ticket that cannot add a factor (as for an unknown or spent one). */
const deadTicket = () =>
  new StepgateError('not_found', 'no such enrollment ticket, or it was used or expired');

/**
 * The level to store a new factor at, given the ticket that adds it and the highest level the
 * credential can reach (WebAuthn: aal3 only device-bound with UV; TOTP: the policies' level).
 * The user's factors are read now, before the new one is saved, so two tickets raced against
 * each other cannot both claim an exception.
 *
 * - A ticket with a proven level: min(credential, proven); above the proof only when none of the
 *   user's factors reaches the credential's level (`no_factor_at_level`, else nobody could ever
 *   climb from TOTP to an aal3 passkey).
 * - A ticket without one was issued for a first factor: the credential's level
 *   (`first_factor`) while the user still has no factor.
 *
 * @throws StepgateError `not_found` for a first-factor ticket of a user who has a factor by now
 *   (they must step up for a new ticket, S31).
 * @example
 * const { maxLevel, detail } = await newFactorLevel(deps, ticket, 'aal3');
 * // ticket.provenLevel 'aal2', the user has an aal3 passkey → { maxLevel: 'aal2', detail: { provenLevel: 'aal2', reason: 'capped_to_proof' } }
 */
export async function newFactorLevel(
  deps: Pick<ChallengeDeps, 'store' | 'methodLevels'>,
  ticket: Pick<EnrollmentTicketRecord, 'userId' | 'provenLevel'>,
  credentialLevel: Level,
): Promise<NewFactorLevel> {
  const existing = await existingFactors(deps, ticket.userId);
  const proven = ticket.provenLevel;
  if (proven === undefined) {
    if (existing.length > 0) throw deadTicket();
    return { maxLevel: credentialLevel, detail: { levelAboveProof: true, reason: 'first_factor' } };
  }
  if (levelAtLeast(proven, credentialLevel))
    return { maxLevel: credentialLevel, detail: { provenLevel: proven } };
  if (!existing.some((f) => levelAtLeast(f.maxLevel, credentialLevel))) {
    return {
      maxLevel: credentialLevel,
      detail: { provenLevel: proven, levelAboveProof: true, reason: 'no_factor_at_level' },
    };
  }
  return { maxLevel: proven, detail: { provenLevel: proven, reason: 'capped_to_proof' } };
}
