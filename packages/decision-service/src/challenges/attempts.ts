import type { Method } from '@stepgate/protocol';
import type { AttemptCounter, ChallengeStore } from '../stores/challenge-store.js';
import type { ChallengeSettings } from './challenge-settings.js';

/** Counter key of a user (every method, every challenge, every session and IP: S7). */
export const userCounterKey = (userId: string): string => `user:${userId}`;

/**
 * Counter key of an authenticator: a TOTP factor by id; a user's email address or phone for
 * sent codes.
 */
export const authenticatorKey = (method: Method, userId: string, factorId?: string): string =>
  factorId === undefined ? `${method}:${userId}` : `factor:${factorId}`;

/** Whether a counter is locked: `limit` consecutive failures, the last within the lock duration. */
export function isLocked(
  counter: AttemptCounter | undefined,
  limit: number,
  durationMs: number,
  now: number,
): boolean {
  if (!counter || counter.failures < limit) return false;
  return (counter.lastFailureAt ?? 0) + durationMs > now;
}

/**
 * Attempt limits of one verification: which of its counters are locked, and how many attempts
 * are left before the challenge dies or a counter locks.
 */
export class AttemptLimits {
  readonly #store: ChallengeStore;
  readonly #settings: ChallengeSettings;

  constructor(store: ChallengeStore, settings: ChallengeSettings) {
    this.#store = store;
    this.#settings = settings;
  }

  /** Reads the counters of a user and authenticators; tells which are locked at `now`. */
  async check(userKey: string, authKeys: string[], now: number) {
    const counters = await this.#store.readCounters([userKey, ...authKeys]);
    const { lockout } = this.#settings;
    const ms = lockout.duration * 1000;
    return {
      counters,
      userLocked: isLocked(counters[userKey], lockout.user, ms, now),
      openAuthKeys: authKeys.filter((k) => !isLocked(counters[k], lockout.authenticator, ms, now)),
    };
  }

  /** Attempts left after a failure: the smallest of the challenge's, the user's and the authenticators'. */
  left(challengeAttempts: number, counters: Record<string, number>, userKey: string): number {
    const { maxFailures, lockout } = this.#settings;
    let left = maxFailures - challengeAttempts;
    for (const [key, failures] of Object.entries(counters)) {
      left = Math.min(left, (key === userKey ? lockout.user : lockout.authenticator) - failures);
    }
    return Math.max(0, left);
  }

  /** Whether any counter reached its lock limit with this failure. */
  reachedLock(counters: Record<string, number>, userKey: string): boolean {
    const { lockout } = this.#settings;
    return Object.entries(counters).some(
      ([key, n]) => n >= (key === userKey ? lockout.user : lockout.authenticator),
    );
  }
}
