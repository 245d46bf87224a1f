import {
  CHALLENGE_MIGRATION,
  SEND_SLOT_MIGRATION,
  TICKET_PROVEN_LEVEL_MIGRATION,
} from './challenge-migration.js';

/**
 * Numbered migrations of the SQLite store. Append only: a released migration never changes.
 * `PRAGMA user_version` records the last one applied.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: part 1 of the decision service.
  `
  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, audience TEXT NOT NULL, admin INTEGER NOT NULL,
    label TEXT, created_at INTEGER NOT NULL, revoked_at INTEGER
  );
  CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY, use TEXT NOT NULL, alg TEXT NOT NULL, public_jwk TEXT NOT NULL,
    private_sealed TEXT NOT NULL, created_at INTEGER NOT NULL, retired_at INTEGER
  );
  CREATE TABLE users (
    id TEXT PRIMARY KEY, display_name TEXT, email TEXT, phone TEXT, updated_at INTEGER NOT NULL
  );
  CREATE TABLE factors (
    id TEXT PRIMARY KEY, user_id TEXT NOT NULL, method TEXT NOT NULL, max_level TEXT NOT NULL,
    label TEXT, data TEXT, created_at INTEGER NOT NULL, last_used_at INTEGER
  );
  CREATE INDEX factors_user ON factors (user_id);
  CREATE TABLE devices (
    user_id TEXT NOT NULL, device_id TEXT NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,
    revoked_at INTEGER, PRIMARY KEY (user_id, device_id)
  );
  CREATE INDEX devices_device ON devices (device_id);
  CREATE TABLE device_fingerprints (
    user_id TEXT NOT NULL, fingerprint_hash TEXT NOT NULL, last_seen INTEGER NOT NULL,
    PRIMARY KEY (user_id, fingerprint_hash)
  );
  CREATE TABLE device_tokens (
    jti TEXT PRIMARY KEY, user_id TEXT NOT NULL, device_id TEXT NOT NULL, issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL, revoked_at INTEGER
  );
  CREATE INDEX device_tokens_user ON device_tokens (user_id, device_id);
  CREATE TABLE last_seen (
    user_id TEXT PRIMARY KEY, at INTEGER NOT NULL, ip TEXT, geo TEXT
  );
  CREATE TABLE action_events (user_id TEXT NOT NULL, action TEXT NOT NULL, at INTEGER NOT NULL);
  CREATE INDEX action_events_user ON action_events (user_id, at);
  CREATE TABLE failures (user_id TEXT NOT NULL, at INTEGER NOT NULL);
  CREATE INDEX failures_user ON failures (user_id, at);
  CREATE TABLE used_jtis (jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
  CREATE TABLE idempotency (
    scope TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL, status INTEGER, response TEXT,
    created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (scope, key)
  );
  CREATE TABLE decisions (
    id TEXT PRIMARY KEY, at INTEGER NOT NULL, user_id TEXT NOT NULL, action TEXT NOT NULL,
    decision TEXT NOT NULL, api_key_id TEXT NOT NULL, policy_version TEXT NOT NULL, response TEXT NOT NULL,
    feedback TEXT, feedback_note TEXT, feedback_at INTEGER
  );
  CREATE INDEX decisions_user ON decisions (user_id, at);
  CREATE TABLE challenges (
    id TEXT PRIMARY KEY, user_id TEXT NOT NULL, session_id TEXT, action TEXT NOT NULL, digest TEXT NOT NULL,
    txn TEXT, requirement TEXT NOT NULL, methods TEXT NOT NULL, decision_id TEXT NOT NULL,
    audience TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
  );
  `,
  // 2: action counts in one-minute buckets, so counting a busy user's window reads at most one
  // row per action and minute instead of one per request.
  `
  DROP TABLE action_events;
  CREATE TABLE action_counts (
    user_id TEXT NOT NULL, action TEXT NOT NULL, bucket INTEGER NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (user_id, action, bucket)
  );
  CREATE INDEX action_counts_user ON action_counts (user_id, bucket);
  `,
  // 3: challenges, sent codes, attempt counters, TOTP steps, rate limits, enrollment tickets.
  CHALLENGE_MIGRATION,
  // 4: the level an enrollment ticket's step-up proved (S33).
  TICKET_PROVEN_LEVEL_MIGRATION,
  // 5: the send slot of each challenge, claimed atomically before a code is sent (S8, S37).
  SEND_SLOT_MIGRATION,
  // 6: a decision row no longer keeps the answer's JSON: nothing read it, and the audit record
  // keeps what was decided and why (issue 18: a kilobyte less to write per decision).
  'ALTER TABLE decisions DROP COLUMN response;',
  // 7: console sessions in the store, so every process sharing it knows them (docs/operators.md
  // "The console"): the HMAC of the cookie, the admin key sealed under the master key.
  `
  CREATE TABLE console_sessions (
    id_hash TEXT PRIMARY KEY, key_sealed TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL
  );
  CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
  `,
  // 8: no index of decisions by user (issue 18): nothing reads decisions but by id (feedback),
  // and every decision paid for it — its users' rows are spread over the whole index, so each
  // commit rewrote one of its pages per user in the batch (a decision's insert 46 µs with it,
  // 13 µs without, on 2026-12-07). A user's history is read from the audit log.
  'DROP INDEX IF EXISTS decisions_user;',
  // 9: remembered-device tokens by expiry, so the housekeeping purge deletes the expired ones
  // without reading the whole table (before, none was ever deleted).
  'CREATE INDEX device_tokens_expiry ON device_tokens (expires_at);',
];
