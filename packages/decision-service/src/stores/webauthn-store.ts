/**
 * Hot WebAuthn and device-key state (beside the {@link ChallengeStore}): the challenge bytes a
 * `start` or registration handed out, and each credential's signature counter. Every method is
 * one atomic step. Times are Unix milliseconds.
 */
import type { Method } from '@stepgate/protocol';

/** A WebAuthn (or device-key) challenge handed out and not yet consumed. */
export interface WebAuthnChallengeRecord {
  /** The challenge id (authentication) or the enrollment ticket (registration). */
  key: string;
  purpose: 'authenticate' | 'register';
  userId: string;
  method: Method;
  /** Authentication: the fresh nonce (base64url); registration: the challenge itself. */
  nonce: string;
  /** Whether user verification was required when the options were made. */
  userVerification: boolean;
  expiresAt: number;
}

/** A registered credential's index row: unique credential id, owner and signature counter. */
export interface CredentialRow {
  credentialId: string;
  factorId: string;
  userId: string;
  counter: number;
}

/** See the file comment. `SqliteWebAuthnStore` implements it. */
export interface WebAuthnStore {
  /** Creates its tables; idempotent. */
  migrate(): Promise<void>;
  /** Stores a challenge, replacing an earlier one under the same key. */
  putChallenge(record: WebAuthnChallengeRecord): Promise<void>;
  /**
   * Removes and returns the challenge under `key` (S11: consumed before verification, whatever
   * the outcome). @returns undefined when there is none or it expired.
   */
  takeChallenge(key: string, now: number): Promise<WebAuthnChallengeRecord | undefined>;
  /**
   * Indexes a new credential, durably before it resolves.
   * @returns false when the credential id is already registered.
   */
  insertCredential(row: CredentialRow): Promise<boolean>;
  getCredential(credentialId: string): Promise<CredentialRow | undefined>;
  /**
   * Sets the counter to `next` only if it is still `expected` (S14: saved after every check),
   * durably before it resolves. @returns false when another verification changed it first.
   */
  advanceCounter(credentialId: string, expected: number, next: number): Promise<boolean>;
  /** Drops the index row of a removed factor, durably before it resolves. */
  deleteByFactor(factorId: string): Promise<void>;
  /** Deletes expired challenges. @returns how many. */
  purgeExpired(now: number): Promise<number>;
}
