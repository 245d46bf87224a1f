import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { decisionIdFloor } from '../../ids.js';
import type {
  ApiKeyRecord,
  ConsoleSessionRecord,
  DecisionEffects,
  DecisionRecord,
  DeviceTokenRecord,
  FactorRecord,
  IdempotencyClaim,
  PurgeBefore,
  SigningKeyRecord,
  SigningKeyUse,
  Store,
  UserRecord,
  UserState,
  UserStateQuery,
} from '../store.js';
import { DecisionBatcher } from './decision-batcher.js';
import { commitDurably } from './durable.js';
import { IdempotencyBatcher } from './idempotency-batcher.js';
import { MIGRATIONS } from './migrations.js';
import { inOneTransaction } from './one-transaction.js';
import {
  apiKeyFromRow,
  consoleSessionFromRow,
  decisionFromRow,
  deviceTokenFromRow,
  factorFromRow,
  type Row,
  signingKeyFromRow,
  userFromRow,
} from './rows.js';
import { StateReader } from './state-reader.js';
import { statementCache } from './statements.js';
import { TurnBatch } from './turn-batch.js';
import { bucketOf } from './user-state.js';

/** The tables keyed by user besides `users`, which a user's erasure empties. */
const USER_TABLES = [
  'factors',
  'devices',
  'device_fingerprints',
  'last_seen',
  'action_counts',
  'failures',
  'device_tokens',
] as const;

/** Most decision rows one transaction of a purge deletes. */
const PURGE_CHUNK = 2000;

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** Path of the database file, or `:memory:`. */
  file: string;
  /**
   * How long a writer waits for another process's lock, ms.
   * @defaultValue 5000
   */
  busyTimeoutMs?: number;
}

/** Consumes one token id, for a caller that holds the write transaction: true the first time. */
function consumeOne(store: SqliteStore, jti: string, expiresAt: number, now: number): boolean {
  // A primary-key insert is atomic across processes (the transaction holds the write lock); an
  // expired row (its token can no longer verify) may be replaced, which keeps the table small.
  store.sql('DELETE FROM used_jtis WHERE jti = ? AND expires_at < ?').run(jti, now);
  return (
    store.sql('INSERT OR IGNORE INTO used_jtis (jti, expires_at) VALUES (?, ?)').run(jti, expiresAt)
      .changes === 1
  );
}

/**
 * The embedded store: one SQLite file through better-sqlite3, WAL, numbered migrations. Several
 * processes may share one file: writes that must be atomic run in `BEGIN IMMEDIATE` transactions
 * and single-use checks are primary-key inserts.
 *
 * @example
 * const store = new SqliteStore({ file: 'data/stepgate.db' });
 * await store.migrate();
 */
export class SqliteStore implements Store {
  /** @internal The driver handle; not part of the public types. */
  readonly db: Database.Database;
  readonly #prepared: (text: string) => Database.Statement;
  /**
   * One transaction wrapper for every use: better-sqlite3 prepares BEGIN/COMMIT for each
   * `db.transaction()` call, which costs more than the queries when done per request.
   */
  readonly #tx: Database.Transaction<(fn: () => unknown) => unknown>;
  /** Decisions recorded in one event-loop turn share one commit. */
  readonly #decisions = new DecisionBatcher(this);
  /** User-state reads asked for in one event-loop turn share one read transaction. */
  readonly #reads = new StateReader(this);
  /** Idempotency claims (and stored answers) made in one event-loop turn share one commit. */
  readonly #idempotency = new IdempotencyBatcher(this);
  /** Durable writes queued in one event-loop turn share one fsynced commit (see {@link durably}). */
  readonly #durable = new TurnBatch<() => unknown, unknown>((works) =>
    inOneTransaction(this, works, (work) => work(), { durable: true }),
  );

  constructor(options: SqliteStoreOptions) {
    if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
    this.db = new Database(options.file);
    this.#prepared = statementCache(this.db);
    this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.#tx = this.db.transaction((fn: () => unknown) => fn());
  }

  /** Runs `fn` in a transaction; `immediate` takes the write lock first (`BEGIN IMMEDIATE`). */
  transact<R>(fn: () => R, immediate = false): R {
    return (immediate ? this.#tx.immediate(fn) : this.#tx(fn)) as R;
  }

  /** Like {@link transact} with `BEGIN IMMEDIATE`, fsynced before it returns (see {@link commitDurably}). */
  transactDurable<R>(fn: () => R): R {
    return commitDurably(this.db, () => this.transact(fn, true));
  }

  /**
   * Queues `work` (synchronous statements) for the fsynced commit that ends this event-loop turn:
   * it runs in its own savepoint of one `BEGIN IMMEDIATE` transaction shared with the other durable
   * writes queued in the turn, and resolves with its result once that transaction is fsynced (or
   * rejects with its own error, leaving nothing behind). Where {@link transactDurable} pays an fsync
   * per call on the event loop (~180 µs on this project's reference disk, during which nothing else
   * runs), the writes of many concurrent requests pay one.
   */
  durably<R>(work: () => R): Promise<R> {
    return this.#durable.add(work) as Promise<R>;
  }

  /** A cached prepared statement. */
  /** @internal */
  sql(text: string): Database.Statement {
    return this.#prepared(text);
  }

  async migrate(): Promise<void> {
    this.transact(() => {
      const current = this.db.pragma('user_version', { simple: true }) as number;
      for (let i = current; i < MIGRATIONS.length; i++) {
        this.db.exec(MIGRATIONS[i]!);
        this.db.pragma(`user_version = ${i + 1}`);
      }
    }, true);
  }

  async ping(): Promise<boolean> {
    return this.db.open && this.sql('SELECT 1 AS ok').get() !== undefined;
  }

  async close(): Promise<void> {
    if (this.db.open) {
      this.#decisions.flush();
      this.#idempotency.flush();
      this.#durable.flush();
    }
    if (this.db.open) this.db.close();
  }

  async insertApiKey(r: ApiKeyRecord): Promise<void> {
    this.sql(
      'INSERT INTO api_keys (id, hash, audience, admin, label, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(r.id, r.hash, r.audience, r.admin ? 1 : 0, r.label ?? null, r.createdAt, r.revokedAt ?? null);
  }

  async findApiKeyByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const row = this.sql('SELECT * FROM api_keys WHERE hash = ?').get(hash) as Row | undefined;
    return row && apiKeyFromRow(row);
  }

  async revokeApiKey(id: string, at: number): Promise<boolean> {
    // Durable before the answer: a revoked key must not work again after a power failure.
    return this.transactDurable(
      () =>
        this.sql('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id)
          .changes > 0,
    );
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    return (this.sql('SELECT * FROM api_keys ORDER BY created_at, id').all() as Row[]).map(apiKeyFromRow);
  }

  async insertConsoleSession(r: ConsoleSessionRecord): Promise<void> {
    this.transactDurable(() =>
      this.sql(
        'INSERT INTO console_sessions (id_hash, key_sealed, created_at, expires_at) VALUES (?, ?, ?, ?)',
      ).run(r.idHash, r.keySealed, r.createdAt, r.expiresAt),
    );
  }

  async getConsoleSession(idHash: string, now: number): Promise<ConsoleSessionRecord | undefined> {
    const row = this.sql('SELECT * FROM console_sessions WHERE id_hash = ? AND expires_at > ?').get(
      idHash,
      now,
    ) as Row | undefined;
    return row && consoleSessionFromRow(row);
  }

  async deleteConsoleSession(idHash: string): Promise<void> {
    this.transactDurable(() => this.sql('DELETE FROM console_sessions WHERE id_hash = ?').run(idHash));
  }

  async insertSigningKey(r: SigningKeyRecord): Promise<void> {
    this.sql(
      'INSERT INTO signing_keys (kid, use, alg, public_jwk, private_sealed, created_at, retired_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(r.kid, r.use, r.alg, r.publicJwk, r.privateSealed, r.createdAt, r.retiredAt ?? null);
  }

  async listSigningKeys(use: SigningKeyUse): Promise<SigningKeyRecord[]> {
    const rows = this.sql(
      'SELECT * FROM signing_keys WHERE use = ? ORDER BY created_at DESC, rowid DESC',
    ).all(use);
    return (rows as Row[]).map(signingKeyFromRow);
  }

  async retireSigningKeys(use: SigningKeyUse, exceptKid: string, at: number): Promise<void> {
    // Durable before the answer: rotation is how a leaked key stops being trusted; a retirement
    // lost to a power failure would leave it signing and verifying for good.
    this.transactDurable(() =>
      this.sql(
        'UPDATE signing_keys SET retired_at = ? WHERE use = ? AND kid <> ? AND retired_at IS NULL',
      ).run(at, use, exceptKid),
    );
  }

  async upsertUser(r: UserRecord): Promise<void> {
    // Durable before the answer: an email or phone is an enrolled email_otp/sms_otp factor, and a
    // removed or replaced one must not come back after a power failure.
    this.transactDurable(() =>
      this.sql(
        `INSERT INTO users (id, display_name, email, phone, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, email = excluded.email,
         phone = excluded.phone, updated_at = excluded.updated_at`,
      ).run(r.id, r.displayName ?? null, r.email ?? null, r.phone ?? null, r.updatedAt),
    );
  }

  async getUser(id: string): Promise<UserRecord | undefined> {
    const row = this.sql('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined;
    return row && userFromRow(row);
  }

  async insertFactor(r: FactorRecord): Promise<void> {
    // Durable before the answer (and the announcement): a factor lost to a power failure would
    // leave an account its user believes protected with fewer factors — with none, any aal1 session
    // may enroll a "first" factor again (S31).
    this.transactDurable(() =>
      this.sql(
        `INSERT INTO factors (id, user_id, method, max_level, label, data, created_at, last_used_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        r.id,
        r.userId,
        r.method,
        r.maxLevel,
        r.label ?? null,
        r.data ?? null,
        r.createdAt,
        r.lastUsedAt ?? null,
      ),
    );
  }

  async listFactors(userId: string): Promise<FactorRecord[]> {
    const rows = this.sql('SELECT * FROM factors WHERE user_id = ? ORDER BY created_at, id').all(userId);
    return (rows as Row[]).map(factorFromRow);
  }

  async deleteFactor(userId: string, factorId: string): Promise<boolean> {
    // Durable before the answer: a removed factor that came back after a power failure would
    // verify step-ups again (S31).
    return this.transactDurable(
      () => this.sql('DELETE FROM factors WHERE user_id = ? AND id = ?').run(userId, factorId).changes > 0,
    );
  }

  async deleteUser(userId: string): Promise<boolean> {
    // Durable before the answer, as a removed factor (S31).
    return this.transactDurable(() => {
      let found = this.sql('DELETE FROM users WHERE id = ?').run(userId).changes;
      for (const table of USER_TABLES)
        found += this.sql(`DELETE FROM ${table} WHERE user_id = ?`).run(userId).changes;
      return found > 0;
    });
  }

  async touchFactor(userId: string, factorId: string, at: number): Promise<boolean> {
    // MAX is NULL when last_used_at is: the first use sets it.
    return (
      this.sql(
        'UPDATE factors SET last_used_at = COALESCE(MAX(last_used_at, ?), ?) WHERE user_id = ? AND id = ?',
      ).run(at, at, userId, factorId).changes > 0
    );
  }

  loadUserState(query: UserStateQuery): Promise<UserState> {
    return this.#reads.read(query);
  }

  recordDecision(effects: DecisionEffects): Promise<void> {
    return this.#decisions.record(effects);
  }

  async getDecision(id: string): Promise<DecisionRecord | undefined> {
    const row = this.sql('SELECT * FROM decisions WHERE id = ?').get(id) as Row | undefined;
    return row && decisionFromRow(row);
  }

  async setFeedback(
    id: string,
    label: 'fraud' | 'legit',
    note: string | undefined,
    at: number,
  ): Promise<boolean> {
    const res = this.sql(
      'UPDATE decisions SET feedback = ?, feedback_note = ?, feedback_at = ? WHERE id = ?',
    );
    return res.run(label, note ?? null, at, id).changes > 0;
  }

  async recordFailure(userId: string, at: number): Promise<void> {
    this.sql('INSERT INTO failures (user_id, at) VALUES (?, ?)').run(userId, at);
  }

  consumeJti(jti: string, expiresAt: number, now: number): Promise<boolean> {
    // Durable before the answer: a consumption lost to a power failure would let the token replay.
    // Every request that redeems a single-use step-up token consumes one: group-committed.
    return this.durably(() => consumeOne(this, jti, expiresAt, now));
  }

  claimIdempotency(
    scope: string,
    key: string,
    requestHash: string,
    now: number,
    expiresAt: number,
  ): Promise<IdempotencyClaim> {
    return this.#idempotency.claim({ scope, key, requestHash, now, expiresAt });
  }

  completeIdempotency(scope: string, key: string, status: number, response: string): Promise<void> {
    return this.#idempotency.complete({ scope, key, status, response });
  }

  async releaseIdempotency(scope: string, key: string): Promise<void> {
    this.sql('DELETE FROM idempotency WHERE scope = ? AND key = ? AND status IS NULL').run(scope, key);
  }

  async insertDeviceToken(r: DeviceTokenRecord): Promise<void> {
    this.sql(
      'INSERT INTO device_tokens (jti, user_id, device_id, issued_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(r.jti, r.userId, r.deviceId, r.issuedAt, r.expiresAt, r.revokedAt ?? null);
  }

  async getDeviceToken(jti: string): Promise<DeviceTokenRecord | undefined> {
    const row = this.sql('SELECT * FROM device_tokens WHERE jti = ?').get(jti) as Row | undefined;
    return row && deviceTokenFromRow(row);
  }

  async revokeDeviceTokens(userId: string, deviceId: string | undefined, at: number): Promise<number> {
    // Durable before the answer: a revoked remembered device must not lower risk again (S25).
    return this.transactDurable(
      () =>
        (deviceId === undefined
          ? this.sql('UPDATE device_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL').run(
              at,
              userId,
            )
          : this.sql(
              'UPDATE device_tokens SET revoked_at = ? WHERE user_id = ? AND device_id = ? AND revoked_at IS NULL',
            ).run(at, userId, deviceId)
        ).changes,
    );
  }

  async purgeExpired(now: number, before?: PurgeBefore): Promise<number> {
    let n = this.transact(() => {
      let n = this.sql('DELETE FROM used_jtis WHERE expires_at < ?').run(now).changes;
      if (before?.history !== undefined) {
        n += this.sql('DELETE FROM action_counts WHERE bucket < ?').run(bucketOf(before.history)).changes;
        n += this.sql('DELETE FROM failures WHERE at < ?').run(before.history).changes;
      }
      if (before?.deviceTokens !== undefined) {
        n += this.sql('DELETE FROM device_tokens WHERE expires_at < ?').run(before.deviceTokens).changes;
      }
      n += this.sql('DELETE FROM idempotency WHERE expires_at < ?').run(now).changes;
      n += this.sql('DELETE FROM console_sessions WHERE expires_at <= ?').run(now).changes;
      return n;
    });
    if (before?.decisions !== undefined) n += await this.#purgeDecisions(before.decisions);
    return n;
  }

  /**
   * Deletes decisions made before `before`, by a range of the (time-ordered) primary key, in
   * chunks of {@link PURGE_CHUNK} rows with a turn of the event loop between them: the first purge
   * of a large store does not hold the event loop for seconds. `at` is checked too, so an id not
   * made by `newDecisionId` is never deleted early.
   */
  async #purgeDecisions(before: number): Promise<number> {
    const purge = this.sql(
      'DELETE FROM decisions WHERE id IN (SELECT id FROM decisions WHERE id < ? AND at < ? ORDER BY id LIMIT ?)',
    );
    const floor = decisionIdFloor(before);
    let n = 0;
    for (;;) {
      const deleted = this.transact(() => purge.run(floor, before, PURGE_CHUNK).changes);
      n += deleted;
      if (deleted < PURGE_CHUNK) return n;
      await new Promise((resolve) => setImmediate(resolve));
      if (!this.db.open) return n;
    }
  }
}
