import type { Method } from '@stepgate/protocol';
import type Database from 'better-sqlite3';
import type {
  AssertionUpdate,
  CredentialRow,
  WebAuthnChallengeRecord,
  WebAuthnStore,
} from '../webauthn-store.js';
import { type DurableWriter, eachDurably } from './durable.js';
import type { Row } from './rows.js';
import { statementCache } from './statements.js';

/** Tables of the SQLite {@link WebAuthnStore}; idempotent. */
export const WEBAUTHN_MIGRATION = `
  CREATE TABLE IF NOT EXISTS webauthn_challenges (
    key TEXT PRIMARY KEY, purpose TEXT NOT NULL, user_id TEXT NOT NULL, method TEXT NOT NULL,
    nonce TEXT NOT NULL, user_verification INTEGER NOT NULL, expires_at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS webauthn_credentials (
    credential_id TEXT PRIMARY KEY, factor_id TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL,
    counter INTEGER NOT NULL, backup_state INTEGER NOT NULL DEFAULT 0
  );
`;

/**
 * Adds `backup_state` to a `webauthn_credentials` table created before it existed (issue 15).
 * Old rows start at 0 (not backed up); their next assertion records the real flag.
 */
export const WEBAUTHN_BACKUP_STATE_MIGRATION =
  'ALTER TABLE webauthn_credentials ADD COLUMN backup_state INTEGER NOT NULL DEFAULT 0';

/**
 * The embedded {@link WebAuthnStore}: two tables in the service's SQLite file. `takeChallenge`
 * is one `DELETE … RETURNING`, so two requests can never both consume one challenge. Writes to
 * the credential index are fsynced before they resolve (through `durably`, the main store's group
 * commit when `openSqliteStores` made it).
 *
 * @example
 * const webauthn = new SqliteWebAuthnStore(sqliteStore.db, (work) => sqliteStore.durably(work));
 * await webauthn.migrate();
 */
export class SqliteWebAuthnStore implements WebAuthnStore {
  readonly #db: Database.Database;
  readonly #sql: (text: string) => Database.Statement;

  readonly #durably: DurableWriter;

  /**
   * @internal Made by {@link SqliteStore}. `durably` runs the writes that must survive a power loss:
   * `openSqliteStores` passes the main store's group commit; alone, each is fsynced on its own.
   */
  constructor(db: Database.Database, durably: DurableWriter = eachDurably(db)) {
    this.#db = db;
    this.#sql = statementCache(db);
    this.#durably = durably;
  }

  async migrate(): Promise<void> {
    // One write transaction: two processes opening the same file cannot both add the column.
    this.#db
      .transaction(() => {
        this.#db.exec(WEBAUTHN_MIGRATION);
        const columns = this.#db.pragma('table_info(webauthn_credentials)') as { name: string }[];
        if (!columns.some((c) => c.name === 'backup_state')) this.#db.exec(WEBAUTHN_BACKUP_STATE_MIGRATION);
      })
      .immediate();
  }

  async putChallenge(r: WebAuthnChallengeRecord): Promise<void> {
    this.#sql(
      `INSERT OR REPLACE INTO webauthn_challenges
       (key, purpose, user_id, method, nonce, user_verification, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(r.key, r.purpose, r.userId, r.method, r.nonce, r.userVerification ? 1 : 0, r.expiresAt);
  }

  async takeChallenge(key: string, now: number): Promise<WebAuthnChallengeRecord | undefined> {
    const r = this.#sql('DELETE FROM webauthn_challenges WHERE key = ? RETURNING *').get(key) as
      | Row
      | undefined;
    if (!r || (r.expires_at as number) <= now) return undefined;
    return {
      key,
      purpose: r.purpose as WebAuthnChallengeRecord['purpose'],
      userId: r.user_id as string,
      method: r.method as Method,
      nonce: r.nonce as string,
      userVerification: r.user_verification === 1,
      expiresAt: r.expires_at as number,
    };
  }

  async insertCredential(row: CredentialRow): Promise<boolean> {
    // Durable: a factor is saved only once its credential is indexed; a row lost to a power
    // failure would leave the factor unusable and its credential id free for another account (S13).
    const info = await this.#durably(() =>
      this.#sql(
        `INSERT INTO webauthn_credentials (credential_id, factor_id, user_id, counter, backup_state)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      ).run(row.credentialId, row.factorId, row.userId, row.counter, row.backupState ? 1 : 0),
    );
    return info.changes === 1;
  }

  async getCredential(credentialId: string): Promise<CredentialRow | undefined> {
    const r = this.#sql('SELECT * FROM webauthn_credentials WHERE credential_id = ?').get(credentialId) as
      | Row
      | undefined;
    if (!r) return undefined;
    return {
      credentialId,
      factorId: r.factor_id as string,
      userId: r.user_id as string,
      counter: r.counter as number,
      backupState: r.backup_state === 1,
    };
  }

  async recordAssertion(credentialId: string, expected: number, next: AssertionUpdate): Promise<boolean> {
    // Durable (S14): a counter rolled back by a power failure would let a replayed or cloned
    // authenticator's lower counter pass again. One statement: counter and backup state change
    // together or not at all.
    const info = await this.#durably(() =>
      this.#sql(
        'UPDATE webauthn_credentials SET counter = ?, backup_state = ? WHERE credential_id = ? AND counter = ?',
      ).run(next.counter, next.backupState ? 1 : 0, credentialId, expected),
    );
    return info.changes === 1;
  }

  async deleteByFactor(factorId: string): Promise<void> {
    // Durable: the index row of a removed factor must not come back.
    await this.#durably(() =>
      this.#sql('DELETE FROM webauthn_credentials WHERE factor_id = ?').run(factorId),
    );
  }

  async purgeExpired(now: number): Promise<number> {
    return this.#sql('DELETE FROM webauthn_challenges WHERE expires_at <= ?').run(now).changes;
  }
}
