/**
 * The hot, expiring state of challenges and enrollment (docs/design/storage.md: Redis in the
 * scale-out family, SQLite when embedded): what a challenge captured when it was created, sent
 * codes, attempt counters, TOTP steps, rate-limit windows and enrollment tickets. Every method is
 * one atomic step, so that a Redis implementation can do each one with a single script.
 * Times are Unix milliseconds.
 */
import type { Level, Method } from '@stepgate/protocol';
import type { ChallengeRecord } from './store.js';

/** What a challenge captured at creation, beside the `challenges` row of the main store. */
export interface ChallengeBinding {
  challengeId: string;
  /** The factors the user had when the challenge was created: only they may satisfy it (S24). */
  factorIds: string[];
  /** Contact points at creation: a code goes there, not to one set during the step-up (S24). */
  email?: string;
  phone?: string;
  /**
   * Level of the app's session (`subject.acr`) when the challenge was created. Kept for the
   * record only: the token's level is what the verified method proves (S34), never this.
   */
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
  /** Consecutive failures since the last success (or unlock). */
  failures: number;
  lastFailureAt?: number;
}

/**
 * How one counter admits attempts (S7, S35; NIST SP 800-63B §5.2.2): `freeFailures` consecutive
 * failures without a wait, then an exponential back-off ({@link backoffWait}); from `lockAt`
 * failures on, nothing until the counter is reset.
 */
export interface CounterRule {
  key: string;
  /** Consecutive failures admitted without a wait. */
  freeFailures: number;
  /** Consecutive failures from which every attempt is refused until a reset (an authenticator's cap); absent: never. */
  lockAt?: number;
}

/** The back-off of every counter: `baseMs · 2^k` after the k-th failure past the free ones, at most `maxMs`. */
export interface BackoffSchedule {
  baseMs: number;
  maxMs: number;
}

/**
 * Milliseconds a counter with `failures` consecutive failures waits after its last failure before
 * it admits another attempt: 0 below `freeFailures`, then `baseMs · 2^(failures − freeFailures)`,
 * at most `maxMs`. Every {@link ChallengeStore} computes exactly this inside its atomic step
 * (Redis: in the script).
 *
 * @example
 * backoffWait(5, 5, { baseMs: 30_000, maxMs: 3_600_000 }); // 30_000 (the 5th failure: 30 s)
 * backoffWait(7, 5, { baseMs: 30_000, maxMs: 3_600_000 }); // 120_000
 */
export function backoffWait(failures: number, freeFailures: number, b: BackoffSchedule): number {
  if (failures < freeFailures) return 0;
  const k = failures - freeFailures;
  return k >= 40 ? b.maxMs : Math.min(b.maxMs, b.baseMs * 2 ** k);
}

/** What {@link ChallengeStore.reserveAttempt} counts. */
export interface AttemptRequest {
  challengeId: string;
  /** Attempts a challenge takes (S26). */
  maxFailures: number;
  /** The user's counter (every method, challenge, session and IP: S7); it backs off, never locks. */
  user: CounterRule;
  /** The counters of the authenticators the code is compared with (none: nothing to compare). */
  authenticators: CounterRule[];
  backoff: BackoffSchedule;
  now: number;
}

/** Why a counter refused an attempt. */
export type CounterRefusal = { state: 'locked' } | { state: 'waiting'; until: number };

/** The outcome of {@link ChallengeStore.reserveAttempt}. */
export interface AttemptReservation {
  /** Attempts of the challenge, this one included. */
  attempts: number;
  /** Whether the code may be compared: the user's counter and at least one authenticator's admitted it. */
  admitted: boolean;
  /** Authenticator keys the attempt was counted on: those that admitted it (none when not admitted). */
  counted: string[];
  /** Each refusing counter (user or authenticator), by key, and why. */
  refused: Record<string, CounterRefusal>;
  /** Consecutive failures of each counter named in the request, this attempt included where counted. */
  failures: Record<string, number>;
}

/** The outcome of {@link ChallengeStore.claimSendSlot}. */
export type SendSlotClaim = { claimed: true } | { claimed: false; retryAfterMs: number };

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

  /**
   * Creates a challenge (pending, 0 attempts). This store is the one owner of a challenge's
   * lifecycle: its status and attempts change only through the methods below, and every read
   * of them comes through {@link ChallengeStore.getChallenge}. Written before the decision that
   * hands it out resolves (SQLite: in the decision's transaction; Redis: before the decision row).
   */
  insertChallenge(record: ChallengeRecord): Promise<void>;
  /** A challenge as it stands now (status and attempts included), on any replica. */
  getChallenge(id: string): Promise<ChallengeRecord | undefined>;

  putBinding(binding: ChallengeBinding): Promise<void>;
  getBinding(challengeId: string): Promise<ChallengeBinding | undefined>;

  /** Stores a sent code, replacing (and so invalidating) the previous one of the challenge. */
  putSentCode(code: SentCodeRecord): Promise<void>;
  getSentCode(challengeId: string): Promise<SentCodeRecord | undefined>;

  /**
   * Claims the right to send a code for a challenge before the sender is called (the resend
   * cooldown, S8), in one atomic step: granted when the challenge has no claim made less than
   * `cooldownMs` before `now` — the claim is then recorded at `now` — otherwise refused with the
   * time left. Of any number of parallel `start`s, exactly one sends (S37). Redis: one script
   * (`GET`; compare; `SET … PX cooldownMs`).
   */
  claimSendSlot(challengeId: string, now: number, cooldownMs: number): Promise<SendSlotClaim>;

  /**
   * Withdraws the claim made at `claimedAt` when its delivery failed, so the user may retry at
   * once; a claim made since (at another time) is left alone. One atomic compare-and-delete.
   */
  releaseSendSlot(challengeId: string, claimedAt: number): Promise<void>;

  /**
   * Counts one attempt before its code is compared, in one atomic step (Redis: one script over
   * the challenge and the counters), so that parallel guesses can never compare more codes than
   * the limits allow (S7, S35):
   * 1. nothing happens (undefined) unless the challenge is pending, unexpired and below
   *    `maxFailures` attempts;
   * 2. the challenge's attempts grow by one, whatever follows (S10: every attempt costs the same);
   * 3. each counter is judged at `now` from its failures `f` and last failure `t`: refused as
   *    `locked` when `lockAt ≤ f`, as `waiting` until `t + backoffWait(f)` when that wait is not 0
   *    and `now` is before it (a `t` after `now` — a concurrent attempt stamped by another replica —
   *    never refuses on its own);
   * 4. the attempt is admitted when the user's counter and at least one authenticator's admit it;
   *    then each admitting counter gets `f + 1` failures at `now` (counted as failed until a success
   *    resets it). A refused attempt changes no counter: a wait never lengthens itself.
   * A success resets the counters ({@link ChallengeStore.resetCounters}).
   * @returns undefined when the challenge cannot take another attempt.
   */
  reserveAttempt(request: AttemptRequest): Promise<AttemptReservation | undefined>;

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

  /** The counters of `keys` (a key never counted reads as 0 failures). One read. */
  readCounters(keys: string[]): Promise<Record<string, AttemptCounter>>;
  /**
   * Deletes the counters of `keys` in one atomic step — after a success, when another factor at
   * an authenticator's level unlocks it, or `stepgate factor unlock` (S35).
   * @returns the counters as they were just before, for those that existed.
   */
  resetCounters(keys: string[]): Promise<Record<string, AttemptCounter>>;

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

  /**
   * Deletes expired rows: unverified challenges once expired, verified ones a day past their
   * expiry (their status stays readable meanwhile). @returns how many.
   */
  purgeExpired(now: number): Promise<number>;
}
