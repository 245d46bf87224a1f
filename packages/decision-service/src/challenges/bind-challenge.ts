import { type AcrValues, levelFromAcr, type Subject } from '@stepgate/protocol';
import type { ChallengeBinding, ChallengeStore } from '../stores/challenge-store.js';
import type { Store } from '../stores/store.js';

/**
 * Records what a new challenge may use: the user's factors and contact points as they are now
 * (a factor added during the step-up never satisfies it, S24), the session's level (the
 * verified method adds to it, S2) and the device id (for a remembered-device token).
 */
export async function bindChallenge(
  deps: { store: Store; challenges: ChallengeStore; acrValues: AcrValues },
  p: { challengeId: string; subject: Subject; deviceId?: string; expiresAt: number },
): Promise<ChallengeBinding> {
  const [factors, user] = await Promise.all([
    deps.store.listFactors(p.subject.id),
    deps.store.getUser(p.subject.id),
  ]);
  const binding: ChallengeBinding = {
    challengeId: p.challengeId,
    factorIds: factors.map((f) => f.id),
    sessionLevel: levelFromAcr(p.subject.acr, deps.acrValues) ?? 'aal1',
    expiresAt: p.expiresAt,
  };
  if (user?.email) binding.email = user.email;
  if (user?.phone) binding.phone = user.phone;
  if (p.deviceId !== undefined) binding.deviceId = p.deviceId;
  await deps.challenges.putBinding(binding);
  return binding;
}
