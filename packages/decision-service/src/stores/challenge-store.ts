/**
 * The hot, expiring state of challenges and enrollment (DESIGN.md "Storage": Redis in the
 * scale-out family, SQLite when embedded): what a challenge captured when it was created, sent
 * codes, attempt counters, TOTP steps, rate-limit windows and enrollment tickets. Every method is
 * one atomic step, so that a Redis implementation can do each one with a single script.
 * Times are Unix milliseconds.
 */
import type { Level, Method } from '@stepgate/protocol';

/** What a challenge captured at creation, beside the `challenges` row of the main store. */
export interface ChallengeBinding {
  challengeId: string;
  /** The factors the user had when the challenge was created: only they may satisfy it (S24). */
  factorIds: string[];
  /** Contact points at creation: a code goes there, not to one set during the step-up (S24). */
  email?: string;
  phone?: string;
  /** Level of the app's session (`subject.acr`); the verified method adds to it (S2). */
  sessionLevel: Level;
  /** The device id of the decision request (for a remembered-device token). */
  deviceId?: string;
  expiresAt: number;
}

/** A code sent by email or SMS, as stored: only its HMAC (S8). */
export interface SentCodeRecord {
  challengeId: string;
  method: 'email_otp' | 'sms_otp';
  /** HMAC-SHA-256 of challenge id, method and code under the master key. */
  hash: string;
  sentAt: number;
  expiresAt: number;
}

/** A failure counter (per user, per authenticator). */
export interface AttemptCounter {
  /** Consecutive failures since the last success. */
  failures: number;
  lastFailureAt?: number;
}

/** The outcome of {@link ChallengeStore.reserveAttempt}. */
export interface AttemptReservation {
  /** Attempts of the challenge, this one included. */
  attempts: number;
  /** Each counter with this attempt, by key, and the time of the failure before it. */
  counters: Record<string, { failures: number; previousFailureAt?: number }>;
}

/** The outcome of {@link ChallengeStore.completeChallenge}. */
export type CompleteOutcome = 'ok' | 'not_pending' | 'replay';

/** An enrollment ticket (`enr_…`). */
export interface EnrollmentTicketRecord {
  id: string;
  userId: string;
  sessionId?: string;
  /** Methods that can be added with it. */
  methods: Method[];
  /**
   * The level the step-up that unlocked this ticket proved (the verified token's `acr`); absent
   * for a first factor, which needs no step-up. A factor added with the ticket reaches at most
   * this level, save the documented exceptions (S33, NIST SP 800-63B §6.1.2.1).
   */
  provenLevel?: Level;
  createdAt: number;
  expiresAt: number;
  /** A TOTP secret awaiting its confirming code, sealed. */
  pendingTotp?: string;
  /** Failed confirmations. */
  attempts: number;
  /** Set once a factor was added: the ticket is spent. */
  usedAt?: number;
}

/** Hot challenge and enrollment state; see the file comment. `stores/contract/challenge-store-contract.ts` is its suite. */
export interface ChallengeStore {
  /** Creates the tables it needs; idempotent. */
  migrate(): Promise<void>;

  putBinding(binding: ChallengeBinding): Promise<void>;
  getBinding(challengeId: string): Promise<ChallengeBinding | undefined>;

  /** Stores a sent code, replacing (and so invalidating) the previous one of the challenge. */
  putSentCode(code: SentCodeRecord): Promise<void>;
  getSentCode(challengeId: string): Promise<SentCodeRecord | undefined>;

  /**
   * Counts one attempt before its code is compared, atomically, on the challenge and on each
   * counter key, so that parallel guesses can never compare more codes than the limits allow
   * (S7). Only while the challenge is pending, unexpired and below `maxFailures` attempts.
   * A success resets the counters ({@link ChallengeStore.resetCounters}).
   * @returns undefined when nothing was counted (the challenge cannot take another attempt).
   */
  reserveAttempt(
    challengeId: string,
    counterKeys: string[],
    maxFailures: number,
    now: number,
  ): Promise<AttemptReservation | undefined>;

  /** After a failed attempt: marks the challenge `failed` once it has `maxFailures` attempts (S26). */
  settleFailure(challengeId: string, maxFailures: number): Promise<'pending' | 'failed'>;

  /**
   * Marks a pending, unexpired challenge `verified`, atomically; with `totp`, only when `step` is
   * later than the factor's last accepted step, which becomes `step` (RFC 6238 §5.2, S6).
   * Its sent code is deleted.
   */
  completeChallenge(
    challengeId: string,
    now: number,
    totp?: { factorId: string; step: number },
  ): Promise<CompleteOutcome>;

  /** Marks a pending challenge `expired`. @returns whether it changed. */
  expireChallenge(challengeId: string): Promise<boolean>;

  readCounters(keys: string[]): Promise<Record<string, AttemptCounter>>;
  resetCounters(keys: string[]): Promise<void>;

  /** Records `step` as a TOTP factor's last accepted step when it is later than the stored one. */
  advanceTotpStep(factorId: string, step: number): Promise<boolean>;

  /** Counts one hit in the fixed window of `windowMs` that holds `now`. @returns hits in that window. */
  hitRateLimit(key: string, windowMs: number, now: number): Promise<number>;

  insertTicket(ticket: EnrollmentTicketRecord): Promise<void>;
  getTicket(id: string): Promise<EnrollmentTicketRecord | undefined>;
  setPendingTotp(id: string, sealed: string): Promise<void>;
  /** Counts a failed confirmation. @returns failures so far. */
  recordTicketFailure(id: string): Promise<number>;
  /** Spends an unspent ticket. @returns false when it was already spent. */
  spendTicket(id: string, now: number): Promise<boolean>;

  /** Deletes expired rows. @returns how many. */
  purgeExpired(now: number): Promise<number>;
}
