/** The per-user state reads and writes of the SQLite store, each in one transaction. */
import type { Geo } from '@stepgate/protocol';
import type { DecisionEffects, UserState, UserStateQuery } from '../store.js';
import { factorFromRow, type Row, userFromRow } from './rows.js';
import { insertBinding, insertChallengeRow } from './sqlite-challenge-store.js';
import type { SqliteStore } from './sqlite-store.js';

/**
 * The one-minute bucket of a time: action counts are a sliding window of whole minutes, so the
 * window may count up to 59 s of older requests.
 */
export const bucketOf = (ms: number): number => Math.floor(ms / 60_000);

/**
 * Reads everything the history snapshot needs (see `Store.loadUserState`), for a caller that
 * holds a read transaction (`StateReader` batches them).
 */
export function readUserState(store: SqliteStore, q: UserStateQuery): UserState {
  const userRow = store.sql('SELECT * FROM users WHERE id = ?').get(q.userId) as Row | undefined;
  const factors = (
    store.sql('SELECT * FROM factors WHERE user_id = ? ORDER BY created_at, id').all(q.userId) as Row[]
  ).map(factorFromRow);
  const last = store.sql('SELECT at, ip, geo FROM last_seen WHERE user_id = ?').get(q.userId) as
    | Row
    | undefined;
  let deviceKnown = false;
  let accountsOnDevice = 1;
  if (q.deviceId !== undefined) {
    deviceKnown =
      store
        .sql('SELECT 1 FROM devices WHERE user_id = ? AND device_id = ? AND revoked_at IS NULL')
        .get(q.userId, q.deviceId) !== undefined;
    const others = store
      .sql('SELECT COUNT(*) AS n FROM devices WHERE device_id = ? AND user_id <> ?')
      .get(q.deviceId, q.userId) as Row;
    accountsOnDevice = 1 + (others.n as number);
  }
  const fingerprintSeen =
    q.fingerprintHash !== undefined &&
    store
      .sql('SELECT 1 FROM device_fingerprints WHERE user_id = ? AND fingerprint_hash = ?')
      .get(q.userId, q.fingerprintHash) !== undefined;
  const failures = store
    .sql('SELECT COUNT(*) AS n FROM failures WHERE user_id = ? AND at >= ?')
    .get(q.userId, q.windowStart) as Row;
  // Summed here rather than with GROUP BY, which would sort the index range in a temporary b-tree.
  const buckets = store
    .sql('SELECT action, n FROM action_counts WHERE user_id = ? AND bucket >= ?')
    .raw(true)
    .all(q.userId, bucketOf(q.windowStart)) as Array<[string, number]>;
  const sums = new Map<string, number>();
  for (const [action, n] of buckets) sums.set(action, (sums.get(action) ?? 0) + n);
  const state: UserState = {
    factors,
    deviceKnown,
    fingerprintSeen,
    accountsOnDevice,
    recentFailures: failures.n as number,
    actionCounts: Object.fromEntries(sums),
  };
  if (userRow) state.user = userFromRow(userRow);
  if (last) {
    state.lastSeen = { at: last.at as number };
    if (last.ip !== null) state.lastSeen.ip = last.ip as string;
    if (last.geo !== null) state.lastSeen.geo = JSON.parse(last.geo as string) as Geo;
  }
  return state;
}

/** Writes a decision and its effects (see `Store.recordDecision`) in one `BEGIN IMMEDIATE` transaction. */
export function recordDecision(store: SqliteStore, e: DecisionEffects): void {
  store.transact(() => writeDecision(store, e), true);
}

/** The writes of {@link recordDecision}, for a caller that holds the transaction. */
export function writeDecision(store: SqliteStore, e: DecisionEffects): void {
  const d = e.decision;
  store
    .sql(
      `INSERT INTO decisions (id, at, user_id, action, decision, api_key_id, policy_version)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(d.id, d.at, d.userId, d.action, d.decision, d.apiKeyId, d.policyVersion);
  // Only an allowed request moves the last location (see `Store.recordDecision`).
  if (d.decision === 'allow') {
    store
      .sql(
        `INSERT INTO last_seen (user_id, at, ip, geo) VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET
           at = excluded.at, ip = excluded.ip, geo = excluded.geo`,
      )
      .run(e.userId, e.at, e.ip ?? null, e.geo === undefined ? null : JSON.stringify(e.geo));
  }
  store
    .sql(
      `INSERT INTO action_counts (user_id, action, bucket, n) VALUES (?, ?, ?, 1)
       ON CONFLICT (user_id, action, bucket) DO UPDATE SET n = n + 1`,
    )
    .run(e.userId, e.action, bucketOf(e.at));
  // Rows that already exist are not rewritten: each skipped write is a page less in the WAL.
  if (e.deviceId !== undefined && !e.deviceKnown) {
    store
      .sql(
        `INSERT INTO devices (user_id, device_id, first_seen, last_seen) VALUES (?, ?, ?, ?)
           ON CONFLICT (user_id, device_id) DO UPDATE SET last_seen = excluded.last_seen`,
      )
      .run(e.userId, e.deviceId, e.at, e.at);
  }
  if (e.fingerprintHash !== undefined && !e.fingerprintSeen) {
    store
      .sql(
        `INSERT INTO device_fingerprints (user_id, fingerprint_hash, last_seen) VALUES (?, ?, ?)
           ON CONFLICT (user_id, fingerprint_hash) DO UPDATE SET last_seen = excluded.last_seen`,
      )
      .run(e.userId, e.fingerprintHash, e.at);
  }
  if (e.challenge) {
    const sql = (text: string) => store.sql(text);
    insertBinding(sql, e.challenge.binding);
    insertChallengeRow(sql, e.challenge.record);
  }
}
