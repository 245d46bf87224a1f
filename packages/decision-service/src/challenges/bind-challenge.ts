import { type AcrValues, levelFromAcr, type Subject } from '@stepgate/protocol';
import type { ChallengeBinding } from '../stores/challenge-store.js';
import type { FactorRecord, UserRecord } from '../stores/store.js';

/** The user's factors and contact points at the time a challenge is created. */
export interface BindingSnapshot {
  factors: readonly FactorRecord[];
  user?: UserRecord | undefined;
}

/**
 * What a new challenge may use: the user's factors and contact points as they are now (a factor
 * added during the step-up never satisfies it, S24), the session's level (the verified method
 * adds to it, S2) and the device id (for a remembered-device token).
 */
export function challengeBinding(
  acrValues: AcrValues,
  snapshot: BindingSnapshot,
  p: { challengeId: string; subject: Subject; deviceId?: string; expiresAt: number },
): ChallengeBinding {
  const binding: ChallengeBinding = {
    challengeId: p.challengeId,
    factorIds: snapshot.factors.map((f) => f.id),
    sessionLevel: levelFromAcr(p.subject.acr, acrValues) ?? 'aal1',
    expiresAt: p.expiresAt,
  };
  const { user } = snapshot;
  if (user?.email) binding.email = user.email;
  if (user?.phone) binding.phone = user.phone;
  if (p.deviceId !== undefined) binding.deviceId = p.deviceId;
  return binding;
}
