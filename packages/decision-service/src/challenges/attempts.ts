import type { Method } from '@stepgate/protocol';
import type { AttemptCounter, AttemptReservation } from '../stores/challenge-store.js';
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
 * Attempt limits of one verification, read from its reservation (the counters with this attempt
 * already counted, so parallel attempts cannot slip past a limit): which counters are locked,
 * and how many attempts are left.
 */
export class AttemptLimits {
  readonly #settings: ChallengeSettings;
  readonly #userKey: string;

  constructor(settings: ChallengeSettings, userKey: string) {
    this.#settings = settings;
    this.#userKey = userKey;
  }

  #limit(key: string): number {
    return key === this.#userKey ? this.#settings.lockout.user : this.#settings.lockout.authenticator;
  }

  /** Whether a counter was locked before this attempt: at its limit, the last failure recent. */
  locked(reservation: AttemptReservation, key: string, now: number): boolean {
    const c = reservation.counters[key];
    if (!c) return false;
    const before: AttemptCounter = { failures: c.failures - 1 };
    if (c.previousFailureAt !== undefined) before.lastFailureAt = c.previousFailureAt;
    return isLocked(before, this.#limit(key), this.#settings.lockout.duration * 1000, now);
  }

  /** Attempts left after a failure: the smallest of the challenge's, the user's and the authenticators'. */
  left(reservation: AttemptReservation): number {
    let left = this.#settings.maxFailures - reservation.attempts;
    for (const [key, c] of Object.entries(reservation.counters)) {
      left = Math.min(left, this.#limit(key) - c.failures);
    }
    return Math.max(0, left);
  }

  /** Whether a counter reached its lock limit with this attempt. */
  reachedLock(reservation: AttemptReservation): boolean {
    return Object.entries(reservation.counters).some(([key, c]) => c.failures >= this.#limit(key));
  }
}
