/**
 * Hot WebAuthn and device-key state (beside the {@link ChallengeStore}): the challenge bytes a
 * `start` or registration handed out, and each credential's signature counter and backup state.
 * Every method is one atomic step — one statement or transaction in SQL, one script in Redis —
 * so that concurrent verifications on any number of replicas cannot interleave inside it.
 * Times are Unix milliseconds. `stores/contract/webauthn-store-contract.ts` is its suite.
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

/**
 * A registered credential's index row: unique credential id, owner, signature counter and
 * backup state. The backup-eligible flag (BE) is not here: it cannot change (WebAuthn L3 §6.1.3),
 * so it stays in the factor's data, written once at registration.
 */
export interface CredentialRow {
  credentialId: string;
  factorId: string;
  userId: string;
  counter: number;
  /**
   * The BS flag (backed up) of the last verified ceremony: registration, then each assertion.
   * May change over the credential's life; a row migrated from before it existed starts false.
   */
  backupState: boolean;
}

/** What a verified assertion leaves on its credential (WebAuthn L3 §7.2, last step). */
export interface AssertionUpdate {
  /** The assertion's signature counter. */
  counter: number;
  /** The assertion's BS flag. */
  backupState: boolean;
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
   * Records a verified assertion: sets the counter and the backup state to `next`, only if the
   * counter is still `expected` — one compare-and-set over both fields (S14: saved after every
   * check; WebAuthn L3 §7.2: "update credentialRecord.signCount and backupState"). A counter
   * that stays 0 (authenticators without a counter) matches `expected` 0 and succeeds. Durable
   * before it resolves. SQL: `UPDATE … SET counter, backup_state WHERE credential_id AND counter
   * = expected`; Redis: one script (or `WATCH`/`MULTI`) that compares and sets both fields.
   * @returns false when another verification changed the counter first, or there is no row.
   */
  recordAssertion(credentialId: string, expected: number, next: AssertionUpdate): Promise<boolean>;
  /** Drops the index row of a removed factor, durably before it resolves. */
  deleteByFactor(factorId: string): Promise<void>;
  /** Deletes expired challenges. @returns how many. */
  purgeExpired(now: number): Promise<number>;
}
