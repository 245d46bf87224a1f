import type { Level, Method } from '@stepgate/protocol';
import { authenticatorLevel } from '../challenges/attempts.js';
import type { ChallengeDeps } from '../challenges/challenge-deps.js';
import type { FactorRecord, UserRecord } from '../stores/store.js';

/** A factor as the factor-change rules see it: its method and the highest level it reaches. */
export interface ExistingFactor {
  method: Method;
  maxLevel: Level;
}

/**
 * A user's factors with their level (docs/design/flows.md "Methods and what they prove"): stored factors, plus the
 * email address (`email_otp`) and phone number (`sms_otp`) of `user`, at the level the policies
 * in force give their method.
 *
 * @example
 * contactFactors({ id: 'u1', email: 'a@example.com', updatedAt: 0 }, methodLevels); // [{ method: 'email_otp', maxLevel: 'aal1' }]
 */
export function contactFactors(
  user: Pick<UserRecord, 'email' | 'phone'> | undefined,
  levels: Readonly<Record<Method, Level>>,
): ExistingFactor[] {
  const out: ExistingFactor[] = [];
  if (user?.email) out.push({ method: 'email_otp', maxLevel: levels.email_otp });
  if (user?.phone) out.push({ method: 'sms_otp', maxLevel: levels.sms_otp });
  return out;
}

/**
 * A user's stored factors with the level each can prove now (S34): its enrolled `maxLevel`
 * capped by its method's level under the policies in force — a TOTP enrolled at aal2 proves aal1
 * once the policies lower `totp` to aal1, so a factor-change step-up must not count it at aal2.
 *
 * @example
 * storedFactors(await store.listFactors('u1'), methodLevels); // [{ method: 'totp', maxLevel: 'aal2' }]
 */
export function storedFactors(
  factors: ReadonlyArray<Pick<FactorRecord, 'method' | 'maxLevel'>>,
  levels: Readonly<Record<Method, Level>>,
): ExistingFactor[] {
  return factors.map((f) => ({ method: f.method, maxLevel: authenticatorLevel(levels, f.method, f) }));
}

/**
 * Every factor a user has now: stored factors ({@link storedFactors}) and contact points
 * ({@link contactFactors}). An empty list means the next factor is the user's first (S31: no
 * step-up possible).
 *
 * @example
 * const existing = await existingFactors(deps, 'u1'); // [{ method: 'totp', maxLevel: 'aal2' }, …]
 */
export async function existingFactors(
  deps: Pick<ChallengeDeps, 'store' | 'methodLevels'>,
  userId: string,
): Promise<ExistingFactor[]> {
  const [factors, user] = await Promise.all([deps.store.listFactors(userId), deps.store.getUser(userId)]);
  const levels = deps.methodLevels();
  return [...storedFactors(factors, levels), ...contactFactors(user, levels)];
}
