import type { Geo } from '@stepgate/protocol';
import type { Pool } from 'pg';
import { decisionIdFloor } from '../../ids.js';
import type {
  ApiKeyRecord,
  ConsoleSessionRecord,
  DecisionEffects,
  DecisionRecord,
  DecisionStore,
  DeviceTokenRecord,
  FactorRecord,
  KeyStore,
  SigningKeyRecord,
  SigningKeyUse,
  StoreLifecycle,
  UserRecord,
  UserState,
  UserStateQuery,
  UserStore,
} from '../store.js';
import { migratePostgres, PG_SCHEMA_VERSION, postgresSchemaVersion } from './pg-migrations.js';
import {
  bool,
  int,
  type PgRow,
  pgApiKey,
  pgConsoleSession,
  pgDecision,
  pgDeviceToken,
  pgFactor,
  pgSigningKey,
  pgUser,
  RowDecodeError,
} from './pg-rows.js';

/** Most decision rows one statement of a purge deletes. */
const PURGE_CHUNK = 5000;

/** The one-minute bucket of a time (as the SQLite store counts actions). */
const bucketOf = (ms: number): number => Math.floor(ms / 60_000);

/** A schema older than the code: `stepgate migrate` (or `store.migrate: true`) brings it up. */
export class SchemaVersionError extends Error {
  override readonly name = 'SchemaVersionError';
}

interface Pending {
  effects: DecisionEffects;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The durable rows of the PostgreSQL + Redis family: users, factors, API and signing keys,
 * decisions and their history, remembered-device tokens. Every write is one statement or one
 * transaction, committed (PostgreSQL's default `synchronous_commit = on`: in the WAL on disk)
 * before it resolves — which gives every "durably before it resolves" of the contracts.
 * Decisions recorded in one event-loop turn go to PostgreSQL in one statement (group commit,
 * `stepgate_record_decisions`); if it fails, each is retried alone so one bad record fails only
 * its own request.
 */
export class PgStore implements StoreLifecycle, UserStore, KeyStore, DecisionStore {
  readonly pool: Pool;
  #queue: Pending[] = [];
  #scheduled = false;
  #inFlight = new Set<Promise<void>>();

  constructor(pool: Pool) {
    this.pool = pool;
  }

  async migrate(): Promise<void> {
    await migratePostgres(this.pool);
  }

  /** Refuses a schema other than the one this code was written for. */
  async checkSchema(): Promise<void> {
    const version = await postgresSchemaVersion(this.pool);
    if (version < PG_SCHEMA_VERSION) {
      throw new SchemaVersionError(
        `PostgreSQL schema is at version ${version}, this release needs ${PG_SCHEMA_VERSION}: run "stepgate migrate" or set store.migrate: true`,
      );
    }
  }

  async ping(): Promise<boolean> {
    const r = await this.pool.query('SELECT 1 AS ok');
    return r.rowCount === 1;
  }

  async close(): Promise<void> {
    while (this.#queue.length > 0 || this.#inFlight.size > 0) {
      this.#flush();
      await Promise.allSettled([...this.#inFlight]);
    }
  }

  async insertApiKey(r: ApiKeyRecord): Promise<void> {
    await this.pool.query(
      'INSERT INTO api_keys (id, hash, audience, admin, label, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [r.id, r.hash, r.audience, r.admin, r.label ?? null, r.createdAt, r.revokedAt ?? null],
    );
  }

  async findApiKeyByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const r = await this.pool.query('SELECT * FROM api_keys WHERE hash = $1', [hash]);
    return r.rows[0] ? pgApiKey(r.rows[0] as PgRow) : undefined;
  }

  async revokeApiKey(id: string, at: number): Promise<boolean> {
    const r = await this.pool.query(
      'UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL',
      [at, id],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    const r = await this.pool.query('SELECT * FROM api_keys ORDER BY created_at, id');
    return r.rows.map((row) => pgApiKey(row as PgRow));
  }

  async insertConsoleSession(r: ConsoleSessionRecord): Promise<void> {
    await this.pool.query(
      'INSERT INTO console_sessions (id_hash, key_sealed, created_at, expires_at) VALUES ($1, $2, $3, $4)',
      [r.idHash, r.keySealed, r.createdAt, r.expiresAt],
    );
  }

  async getConsoleSession(idHash: string, now: number): Promise<ConsoleSessionRecord | undefined> {
    const r = await this.pool.query('SELECT * FROM console_sessions WHERE id_hash = $1 AND expires_at > $2', [
      idHash,
      now,
    ]);
    return r.rows[0] ? pgConsoleSession(r.rows[0] as PgRow) : undefined;
  }

  async deleteConsoleSession(idHash: string): Promise<void> {
    await this.pool.query('DELETE FROM console_sessions WHERE id_hash = $1', [idHash]);
  }

  /** Deletes console sessions that have expired at `now`. @returns how many. */
  async purgeConsoleSessions(now: number): Promise<number> {
    const r = await this.pool.query('DELETE FROM console_sessions WHERE expires_at <= $1', [now]);
    return r.rowCount ?? 0;
  }

  async insertSigningKey(r: SigningKeyRecord): Promise<void> {
    await this.pool.query(
      'INSERT INTO signing_keys (kid, use, alg, public_jwk, private_sealed, created_at, retired_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [r.kid, r.use, r.alg, r.publicJwk, r.privateSealed, r.createdAt, r.retiredAt ?? null],
    );
  }

  async listSigningKeys(use: SigningKeyUse): Promise<SigningKeyRecord[]> {
    const r = await this.pool.query(
      'SELECT * FROM signing_keys WHERE use = $1 ORDER BY created_at DESC, seq DESC',
      [use],
    );
    return (r.rows as PgRow[]).map(pgSigningKey);
  }

  async retireSigningKeys(use: SigningKeyUse, exceptKid: string, at: number): Promise<void> {
    await this.pool.query(
      'UPDATE signing_keys SET retired_at = $1 WHERE use = $2 AND kid <> $3 AND retired_at IS NULL',
      [at, use, exceptKid],
    );
  }

  async upsertUser(r: UserRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO users (id, display_name, email, phone, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, email = excluded.email,
       phone = excluded.phone, updated_at = excluded.updated_at`,
      [r.id, r.displayName ?? null, r.email ?? null, r.phone ?? null, r.updatedAt],
    );
  }

  async getUser(id: string): Promise<UserRecord | undefined> {
    const r = await this.pool.query('SELECT * FROM users WHERE id = $1', [id]);
    return r.rows[0] ? pgUser(r.rows[0] as PgRow) : undefined;
  }

  async insertFactor(r: FactorRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO factors (id, user_id, method, max_level, label, data, created_at, last_used_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        r.id,
        r.userId,
        r.method,
        r.maxLevel,
        r.label ?? null,
        r.data ?? null,
        r.createdAt,
        r.lastUsedAt ?? null,
      ],
    );
  }

  async listFactors(userId: string): Promise<FactorRecord[]> {
    const r = await this.pool.query('SELECT * FROM factors WHERE user_id = $1 ORDER BY created_at, id', [
      userId,
    ]);
    return (r.rows as PgRow[]).map(pgFactor);
  }

  async deleteFactor(userId: string, factorId: string): Promise<boolean> {
    const r = await this.pool.query('DELETE FROM factors WHERE user_id = $1 AND id = $2', [userId, factorId]);
    return (r.rowCount ?? 0) > 0;
  }

  async deleteUser(userId: string): Promise<boolean> {
    // One statement, so one transaction: every data-modifying WITH part runs to completion.
    const r = await this.pool.query(
      `WITH u AS (DELETE FROM users WHERE id = $1 RETURNING 1),
         f AS (DELETE FROM factors WHERE user_id = $1 RETURNING 1),
         d AS (DELETE FROM devices WHERE user_id = $1 RETURNING 1),
         fp AS (DELETE FROM device_fingerprints WHERE user_id = $1 RETURNING 1),
         ls AS (DELETE FROM last_seen WHERE user_id = $1 RETURNING 1),
         ac AS (DELETE FROM action_counts WHERE user_id = $1 RETURNING 1),
         fl AS (DELETE FROM failures WHERE user_id = $1 RETURNING 1),
         dt AS (DELETE FROM device_tokens WHERE user_id = $1 RETURNING 1)
       SELECT (SELECT count(*) FROM u) + (SELECT count(*) FROM f) + (SELECT count(*) FROM d)
         + (SELECT count(*) FROM fp) + (SELECT count(*) FROM ls) + (SELECT count(*) FROM ac)
         + (SELECT count(*) FROM fl) + (SELECT count(*) FROM dt) AS n`,
      [userId],
    );
    return int(r.rows[0] as PgRow, 'n') > 0;
  }

  async touchFactor(userId: string, factorId: string, at: number): Promise<boolean> {
    // GREATEST ignores NULL: the first use sets it; it never moves back.
    const r = await this.pool.query(
      'UPDATE factors SET last_used_at = GREATEST(last_used_at, $1::bigint) WHERE user_id = $2 AND id = $3',
      [at, userId, factorId],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async loadUserState(q: UserStateQuery): Promise<UserState> {
    // One round trip: every part of the snapshot as a column.
    const r = await this.pool.query(
      `SELECT
         (SELECT row_to_json(u) FROM users u WHERE u.id = $1) AS user_row,
         (SELECT COALESCE(json_agg(f ORDER BY f.created_at, f.id), '[]'::json) FROM factors f WHERE f.user_id = $1) AS factor_rows,
         (SELECT row_to_json(l) FROM last_seen l WHERE l.user_id = $1) AS last_row,
         EXISTS (SELECT 1 FROM devices WHERE user_id = $1 AND device_id = $2 AND revoked_at IS NULL) AS device_known,
         (SELECT COUNT(*) FROM devices WHERE device_id = $2 AND user_id <> $1) AS others,
         EXISTS (SELECT 1 FROM device_fingerprints WHERE user_id = $1 AND fingerprint_hash = $3) AS fingerprint_seen,
         (SELECT COUNT(*) FROM failures WHERE user_id = $1 AND at >= $4) AS failures,
         (SELECT COALESCE(json_object_agg(c.action, c.n), '{}'::json) FROM
           (SELECT action, SUM(n)::bigint AS n FROM action_counts WHERE user_id = $1 AND bucket >= $5 GROUP BY action) c
         ) AS counts`,
      [q.userId, q.deviceId ?? null, q.fingerprintHash ?? null, q.windowStart, bucketOf(q.windowStart)],
    );
    const row = r.rows[0] as PgRow;
    const counts = row.counts as Record<string, unknown>;
    const actionCounts: Record<string, number> = {};
    for (const [action, n] of Object.entries(counts)) actionCounts[action] = int({ n }, 'n');
    const state: UserState = {
      factors: (row.factor_rows as PgRow[]).map(pgFactor),
      deviceKnown: q.deviceId !== undefined && bool(row, 'device_known'),
      fingerprintSeen: q.fingerprintHash !== undefined && bool(row, 'fingerprint_seen'),
      accountsOnDevice: q.deviceId === undefined ? 1 : 1 + int(row, 'others'),
      recentFailures: int(row, 'failures'),
      actionCounts,
    };
    if (row.user_row) state.user = pgUser(row.user_row as PgRow);
    const last = row.last_row as PgRow | null;
    if (last) {
      state.lastSeen = { at: int(last, 'at') };
      if (last.ip !== null) state.lastSeen.ip = last.ip as string;
      if (last.geo !== null) state.lastSeen.geo = JSON.parse(last.geo as string) as Geo;
    }
    return state;
  }

  recordDecision(effects: DecisionEffects): Promise<void> {
    if (effects.challenge) {
      return Promise.reject(
        new RowDecodeError('PgStore keeps no challenges: compose it with a ChallengeStore (composeStore)'),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ effects, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    // One batch in flight per process: what arrives meanwhile joins the next one (group commit),
    // and a replica's own batches never wait on each other's row locks.
    if (this.#inFlight.size > 0) return;
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    const run = this.#write(batch).finally(() => {
      this.#inFlight.delete(run);
      this.#flush();
    });
    this.#inFlight.add(run);
  }

  async #write(batch: Pending[]): Promise<void> {
    // Same order on every replica: concurrent batches take row locks in one order.
    const order = (p: Pending) => `${p.effects.userId}\u0000${p.effects.action}`;
    const sorted = [...batch].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
    try {
      await this.pool.query('SELECT stepgate_record_decisions($1::jsonb)', [
        JSON.stringify(sorted.map((p) => decisionJson(p.effects))),
      ]);
      for (const p of batch) p.resolve();
    } catch {
      await Promise.all(
        batch.map(async (p) => {
          try {
            await this.pool.query('SELECT stepgate_record_decisions($1::jsonb)', [
              JSON.stringify([decisionJson(p.effects)]),
            ]);
            p.resolve();
          } catch (error) {
            p.reject(error);
          }
        }),
      );
    }
  }

  async getDecision(id: string): Promise<DecisionRecord | undefined> {
    const r = await this.pool.query('SELECT * FROM decisions WHERE id = $1', [id]);
    return r.rows[0] ? pgDecision(r.rows[0] as PgRow) : undefined;
  }

  async setFeedback(
    id: string,
    label: 'fraud' | 'legit',
    note: string | undefined,
    at: number,
  ): Promise<boolean> {
    const r = await this.pool.query(
      'UPDATE decisions SET feedback = $1, feedback_note = $2, feedback_at = $3 WHERE id = $4',
      [label, note ?? null, at, id],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async recordFailure(userId: string, at: number): Promise<void> {
    await this.pool.query('INSERT INTO failures (user_id, at) VALUES ($1, $2)', [userId, at]);
  }

  async insertDeviceToken(r: DeviceTokenRecord): Promise<void> {
    await this.pool.query(
      'INSERT INTO device_tokens (jti, user_id, device_id, issued_at, expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [r.jti, r.userId, r.deviceId, r.issuedAt, r.expiresAt, r.revokedAt ?? null],
    );
  }

  async getDeviceToken(jti: string): Promise<DeviceTokenRecord | undefined> {
    const r = await this.pool.query('SELECT * FROM device_tokens WHERE jti = $1', [jti]);
    return r.rows[0] ? pgDeviceToken(r.rows[0] as PgRow) : undefined;
  }

  async revokeDeviceTokens(userId: string, deviceId: string | undefined, at: number): Promise<number> {
    const r =
      deviceId === undefined
        ? await this.pool.query(
            'UPDATE device_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL',
            [at, userId],
          )
        : await this.pool.query(
            'UPDATE device_tokens SET revoked_at = $1 WHERE user_id = $2 AND device_id = $3 AND revoked_at IS NULL',
            [at, userId, deviceId],
          );
    return r.rowCount ?? 0;
  }

  /**
   * Deletes decisions made before `before` (past the feedback window), by a range of the
   * time-ordered primary key, in chunks of {@link PURGE_CHUNK} rows so that no statement holds
   * locks on a large part of the table. `at` is checked too, so an id not made by
   * `newDecisionId` is never deleted early. @returns rows removed.
   */
  async purgeDecisions(before: number): Promise<number> {
    const floor = decisionIdFloor(before);
    let n = 0;
    for (;;) {
      const r = await this.pool.query(
        'DELETE FROM decisions WHERE id IN (SELECT id FROM decisions WHERE id < $1 AND at < $2 ORDER BY id LIMIT $3)',
        [floor, before, PURGE_CHUNK],
      );
      n += r.rowCount ?? 0;
      if ((r.rowCount ?? 0) < PURGE_CHUNK) return n;
    }
  }

  /** Deletes remembered-device tokens that expired before `before`. @returns rows removed. */
  async purgeDeviceTokens(before: number): Promise<number> {
    const r = await this.pool.query('DELETE FROM device_tokens WHERE expires_at < $1', [before]);
    return r.rowCount ?? 0;
  }

  /** Deletes history older than `historyBefore` (outside every sliding window). @returns rows removed. */
  async purgeHistory(historyBefore: number): Promise<number> {
    const a = await this.pool.query('DELETE FROM action_counts WHERE bucket < $1', [bucketOf(historyBefore)]);
    const f = await this.pool.query('DELETE FROM failures WHERE at < $1', [historyBefore]);
    return (a.rowCount ?? 0) + (f.rowCount ?? 0);
  }
}

function decisionJson(e: DecisionEffects): Record<string, unknown> {
  const d = e.decision;
  const out: Record<string, unknown> = {
    id: d.id,
    dat: d.at,
    duser: d.userId,
    daction: d.action,
    decision: d.decision,
    apiKeyId: d.apiKeyId,
    policyVersion: d.policyVersion,
    userId: e.userId,
    action: e.action,
    at: e.at,
    bucket: bucketOf(e.at),
    ip: e.ip ?? null,
    geo: e.geo === undefined ? null : JSON.stringify(e.geo),
  };
  if (e.deviceId !== undefined && !e.deviceKnown) out.deviceId = e.deviceId;
  if (e.fingerprintHash !== undefined && !e.fingerprintSeen) out.fingerprintHash = e.fingerprintHash;
  return out;
}
