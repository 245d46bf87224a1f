import { type Level, levelAtLeast, type Method } from '@stepgate/protocol';
import type {
  AttemptRequest,
  AttemptReservation,
  BackoffSchedule,
  CounterRule,
} from '../stores/challenge-store.js';
import type { FactorRecord } from '../stores/store.js';
import type { ChallengeSettings } from './challenge-settings.js';
import { isPossessionMethod, possessionCap } from './possession-verify.js';

/** Counter key of a user (every method, every challenge, every session and IP: S7). */
export const userCounterKey = (userId: string): string => `user:${userId}`;

/**
 * Counter key of an authenticator: a stored factor (TOTP, WebAuthn, device key) by id; a user's
 * email address or phone for sent codes.
 */
export const authenticatorKey = (method: Method, userId: string, factorId?: string): string =>
  factorId === undefined ? `${method}:${userId}` : `factor:${factorId}`;

/** Why an attempt was refused before any comparison, for the audit record (never the caller: S10). */
export type Refusal = 'locked' | 'backoff' | 'user_backoff';

/**
 * The attempt rules of the lockout settings (S7, S35; NIST SP 800-63B §5.2.2): each
 * authenticator admits `backoff.after` consecutive failures freely, then waits exponentially,
 * and locks at `authenticator` failures until a reset; the user's counter backs off from `user`
 * failures on and never locks.
 *
 * @example
 * const limits = new AttemptLimits(settings);
 * await challenges.reserveAttempt(limits.request('chl_…', 'user:u1', ['factor:f1'], Date.now()));
 */
export class AttemptLimits {
  readonly #settings: ChallengeSettings;

  constructor(settings: ChallengeSettings) {
    this.#settings = settings;
  }

  /** The back-off schedule, milliseconds. */
  get backoff(): BackoffSchedule {
    const b = this.#settings.lockout.backoff;
    return { baseMs: b.base * 1000, maxMs: b.max * 1000 };
  }

  /** The rule of an authenticator's counter. */
  authenticator(key: string): CounterRule {
    const { lockout } = this.#settings;
    return { key, freeFailures: lockout.backoff.after, lockAt: lockout.authenticator };
  }

  /** The rule of a user's counter: back-off only. */
  user(key: string): CounterRule {
    return { key, freeFailures: this.#settings.lockout.user };
  }

  /** What to reserve for one attempt on a challenge. */
  request(challengeId: string, userKey: string, authenticatorKeys: string[], now: number): AttemptRequest {
    return {
      challengeId,
      maxFailures: this.#settings.maxFailures,
      user: this.user(userKey),
      authenticators: authenticatorKeys.map((k) => this.authenticator(k)),
      backoff: this.backoff,
      now,
    };
  }

  /** Why a reservation was not admitted: the user's back-off first, then any lock, else a back-off. */
  refusal(reservation: AttemptReservation, userKey: string): Refusal {
    if (reservation.refused[userKey] !== undefined) return 'user_backoff';
    return Object.values(reservation.refused).some((r) => r.state === 'locked') ? 'locked' : 'backoff';
  }

  /** Authenticator keys this attempt brought to their lock (S35). */
  newlyLocked(reservation: AttemptReservation): string[] {
    const cap = this.#settings.lockout.authenticator;
    return reservation.counted.filter((k) => reservation.failures[k] === cap);
  }

  /** Attempts left on a challenge after `attempts`: the challenge's own count only (S10). */
  left(attempts: number): number {
    return Math.max(0, this.#settings.maxFailures - attempts);
  }
}

/** The level an authenticator can prove at most under the policies in force. */
export function authenticatorLevel(
  methodLevels: Readonly<Record<Method, Level>>,
  method: Method,
  factor?: Pick<FactorRecord, 'maxLevel'>,
): Level {
  const cap = isPossessionMethod(method) ? possessionCap(methodLevels[method]) : methodLevels[method];
  if (factor === undefined || levelAtLeast(factor.maxLevel, cap)) return cap;
  return factor.maxLevel;
}

/**
 * The counter keys of a user's authenticators that a proof at `level` unlocks (S35: "until the
 * user proves another factor at its level"): every stored factor and contact-point method whose
 * own level is at most `level`.
 *
 * @example
 * authenticatorsUpTo('aal2', 'u1', factors, methodLevels); // ['email_otp:u1', 'sms_otp:u1', 'factor:fac_totp']
 */
export function authenticatorsUpTo(
  level: Level,
  userId: string,
  factors: readonly FactorRecord[],
  methodLevels: Readonly<Record<Method, Level>>,
): string[] {
  const keys: string[] = [];
  for (const method of ['email_otp', 'sms_otp'] as const) {
    if (levelAtLeast(level, authenticatorLevel(methodLevels, method)))
      keys.push(authenticatorKey(method, userId));
  }
  for (const f of factors) {
    if (levelAtLeast(level, authenticatorLevel(methodLevels, f.method, f))) {
      keys.push(authenticatorKey(f.method, userId, f.id));
    }
  }
  return keys;
}
