/**
 * Versioned migrations of the PostgreSQL store. Append only: a released migration never changes.
 * `stepgate_migrations` records each applied version; {@link migratePostgres} applies the missing
 * ones under an advisory lock, each in its own transaction, so replicas starting together (or
 * `stepgate migrate` beside running replicas) never apply one twice.
 */
import type { Pool } from 'pg';
import { int, type PgRow } from './pg-rows.js';

/** Key of the advisory lock the migrations run under. */
const MIGRATION_LOCK = 7_460_201_601;

export const PG_MIGRATIONS: readonly string[] = [
  // 1: the durable rows (hot state lives in Redis).
  `
  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, audience TEXT NOT NULL, admin BOOLEAN NOT NULL,
    label TEXT, created_at BIGINT NOT NULL, revoked_at BIGINT
  );
  CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY, seq BIGSERIAL, use TEXT NOT NULL, alg TEXT NOT NULL, public_jwk TEXT NOT NULL,
    private_sealed TEXT NOT NULL, created_at BIGINT NOT NULL, retired_at BIGINT
  );
  CREATE TABLE users (
    id TEXT PRIMARY KEY, display_name TEXT, email TEXT, phone TEXT, updated_at BIGINT NOT NULL
  );
  CREATE TABLE factors (
    id TEXT PRIMARY KEY, user_id TEXT NOT NULL, method TEXT NOT NULL, max_level TEXT NOT NULL,
    label TEXT, data TEXT, created_at BIGINT NOT NULL, last_used_at BIGINT
  );
  CREATE INDEX factors_user ON factors (user_id);
  CREATE TABLE devices (
    user_id TEXT NOT NULL, device_id TEXT NOT NULL, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL,
    revoked_at BIGINT, PRIMARY KEY (user_id, device_id)
  );
  CREATE INDEX devices_device ON devices (device_id);
  CREATE TABLE device_fingerprints (
    user_id TEXT NOT NULL, fingerprint_hash TEXT NOT NULL, last_seen BIGINT NOT NULL,
    PRIMARY KEY (user_id, fingerprint_hash)
  );
  CREATE TABLE device_tokens (
    jti TEXT PRIMARY KEY, user_id TEXT NOT NULL, device_id TEXT NOT NULL, issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL, revoked_at BIGINT
  );
  CREATE INDEX device_tokens_user ON device_tokens (user_id, device_id);
  CREATE TABLE last_seen (user_id TEXT PRIMARY KEY, at BIGINT NOT NULL, ip TEXT, geo TEXT);
  CREATE TABLE action_counts (
    user_id TEXT NOT NULL, action TEXT NOT NULL, bucket BIGINT NOT NULL, n BIGINT NOT NULL,
    PRIMARY KEY (user_id, action, bucket)
  );
  CREATE INDEX action_counts_bucket ON action_counts (bucket);
  CREATE TABLE failures (id BIGSERIAL PRIMARY KEY, user_id TEXT NOT NULL, at BIGINT NOT NULL);
  CREATE INDEX failures_user ON failures (user_id, at);
  CREATE TABLE decisions (
    id TEXT PRIMARY KEY, at BIGINT NOT NULL, user_id TEXT NOT NULL, action TEXT NOT NULL,
    decision TEXT NOT NULL, api_key_id TEXT NOT NULL, policy_version TEXT NOT NULL, response TEXT NOT NULL,
    feedback TEXT, feedback_note TEXT, feedback_at BIGINT
  );
  CREATE INDEX decisions_user ON decisions (user_id, at);
  CREATE TABLE webauthn_credentials (
    credential_id TEXT PRIMARY KEY, factor_id TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL,
    counter BIGINT NOT NULL, backup_state BOOLEAN NOT NULL DEFAULT false
  );
  -- A decision and what it changes, for a batch of decisions in one statement (group commit).
  CREATE FUNCTION stepgate_record_decisions(batch jsonb) RETURNS void LANGUAGE plpgsql AS $fn$
  DECLARE e jsonb;
  BEGIN
    FOR e IN SELECT value FROM jsonb_array_elements(batch) LOOP
      INSERT INTO decisions (id, at, user_id, action, decision, api_key_id, policy_version, response)
      VALUES (e->>'id', (e->>'dat')::bigint, e->>'duser', e->>'daction', e->>'decision', e->>'apiKeyId',
              e->>'policyVersion', e->>'response');
      IF e->>'decision' = 'allow' THEN
        INSERT INTO last_seen (user_id, at, ip, geo) VALUES (e->>'userId', (e->>'at')::bigint, e->>'ip', e->>'geo')
        ON CONFLICT (user_id) DO UPDATE SET at = excluded.at, ip = excluded.ip, geo = excluded.geo
        WHERE last_seen.at <= excluded.at;
      END IF;
      INSERT INTO action_counts (user_id, action, bucket, n)
      VALUES (e->>'userId', e->>'action', (e->>'bucket')::bigint, 1)
      ON CONFLICT (user_id, action, bucket) DO UPDATE SET n = action_counts.n + 1;
      IF e ? 'deviceId' THEN
        INSERT INTO devices (user_id, device_id, first_seen, last_seen)
        VALUES (e->>'userId', e->>'deviceId', (e->>'at')::bigint, (e->>'at')::bigint)
        ON CONFLICT (user_id, device_id) DO UPDATE SET last_seen = GREATEST(devices.last_seen, excluded.last_seen);
      END IF;
      IF e ? 'fingerprintHash' THEN
        INSERT INTO device_fingerprints (user_id, fingerprint_hash, last_seen)
        VALUES (e->>'userId', e->>'fingerprintHash', (e->>'at')::bigint)
        ON CONFLICT (user_id, fingerprint_hash)
        DO UPDATE SET last_seen = GREATEST(device_fingerprints.last_seen, excluded.last_seen);
      END IF;
    END LOOP;
  END
  $fn$;
  `,
  // 2: the audit log, one hash chain for every replica (docs/decisions/0005-audit-chain-across-replicas.md).
  `
  CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY, time BIGINT NOT NULL, type TEXT NOT NULL, user_id TEXT, action TEXT,
    decision TEXT, policy_version TEXT, policies TEXT, event TEXT NOT NULL, prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE INDEX audit_log_time ON audit_log (time);
  CREATE INDEX audit_log_user ON audit_log (user_id, seq);
  CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, hash TEXT NOT NULL);
  INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${'0'.repeat(64)}');
  CREATE FUNCTION stepgate_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
  BEGIN RAISE EXCEPTION 'the audit log is append-only'; END
  $fn$;
  CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION stepgate_audit_append_only();
  -- Appends a batch: the head row is locked (FOR UPDATE) while seqs are allocated and hashes
  -- chained, so batches of every replica form one chain. Returns the first seq.
  -- The hashed text equals hashedText() in audit-record.ts.
  CREATE FUNCTION stepgate_audit_append(
    events text[], times bigint[], types text[], user_ids text[], actions text[], decisions text[],
    policy_versions text[], policies text[]
  ) RETURNS bigint LANGUAGE plpgsql AS $fn$
  DECLARE
    s bigint; prev text; first bigint; h text;
  BEGIN
    SELECT seq, hash INTO s, prev FROM audit_head WHERE id = 1 FOR UPDATE;
    first := s + 1;
    FOR i IN 1 .. coalesce(array_length(events, 1), 0) LOOP
      s := s + 1;
      h := encode(sha256(convert_to(
        '{"event":' || events[i] || ',"prevHash":"' || prev || '","seq":' || s::text || '}', 'UTF8')), 'hex');
      INSERT INTO audit_log (seq, time, type, user_id, action, decision, policy_version, policies, event, prev_hash, hash)
      VALUES (s, times[i], types[i], user_ids[i], actions[i], decisions[i], policy_versions[i], policies[i], events[i], prev, h);
      prev := h;
    END LOOP;
    UPDATE audit_head SET seq = s, hash = prev WHERE id = 1;
    RETURN first;
  END
  $fn$;
  `,
  // 3: a decision row no longer keeps the answer's JSON: nothing read it, and the audit record
  // keeps what was decided and why (issue 18).
  `
  ALTER TABLE decisions DROP COLUMN response;
  CREATE OR REPLACE FUNCTION stepgate_record_decisions(batch jsonb) RETURNS void LANGUAGE plpgsql AS $fn$
  DECLARE e jsonb;
  BEGIN
    FOR e IN SELECT value FROM jsonb_array_elements(batch) LOOP
      INSERT INTO decisions (id, at, user_id, action, decision, api_key_id, policy_version)
      VALUES (e->>'id', (e->>'dat')::bigint, e->>'duser', e->>'daction', e->>'decision', e->>'apiKeyId',
              e->>'policyVersion');
      IF e->>'decision' = 'allow' THEN
        INSERT INTO last_seen (user_id, at, ip, geo) VALUES (e->>'userId', (e->>'at')::bigint, e->>'ip', e->>'geo')
        ON CONFLICT (user_id) DO UPDATE SET at = excluded.at, ip = excluded.ip, geo = excluded.geo
        WHERE last_seen.at <= excluded.at;
      END IF;
      INSERT INTO action_counts (user_id, action, bucket, n)
      VALUES (e->>'userId', e->>'action', (e->>'bucket')::bigint, 1)
      ON CONFLICT (user_id, action, bucket) DO UPDATE SET n = action_counts.n + 1;
      IF e ? 'deviceId' THEN
        INSERT INTO devices (user_id, device_id, first_seen, last_seen)
        VALUES (e->>'userId', e->>'deviceId', (e->>'at')::bigint, (e->>'at')::bigint)
        ON CONFLICT (user_id, device_id) DO UPDATE SET last_seen = GREATEST(devices.last_seen, excluded.last_seen);
      END IF;
      IF e ? 'fingerprintHash' THEN
        INSERT INTO device_fingerprints (user_id, fingerprint_hash, last_seen)
        VALUES (e->>'userId', e->>'fingerprintHash', (e->>'at')::bigint)
        ON CONFLICT (user_id, fingerprint_hash)
        DO UPDATE SET last_seen = GREATEST(device_fingerprints.last_seen, excluded.last_seen);
      END IF;
    END LOOP;
  END
  $fn$;
  `,
  // 4: decisions' replay inputs beside the chain, as in the embedded audit.db (docs/audit.md
  // "Replayable decisions"): keyed by the record's seq, not hashed (the record holds their
  // SHA-256, `replayDigest`), deleted after the replay retention. No foreign key, as on SQLite: a
  // row is written with its record, in the same transaction, and only retention deletes it.
  // The append takes one replay per event (NULL: none); the 8-argument form stays, appending
  // without replays, for replicas still running the previous version during a rolling upgrade.
  `
  CREATE TABLE audit_replay (seq BIGINT PRIMARY KEY, time BIGINT NOT NULL, input TEXT NOT NULL);
  CREATE INDEX audit_replay_time ON audit_replay (time);
  CREATE FUNCTION stepgate_audit_append(
    events text[], times bigint[], types text[], user_ids text[], actions text[], decisions text[],
    policy_versions text[], policies text[], replays text[]
  ) RETURNS bigint LANGUAGE plpgsql AS $fn$
  DECLARE
    s bigint; prev text; first bigint; h text;
  BEGIN
    SELECT seq, hash INTO s, prev FROM audit_head WHERE id = 1 FOR UPDATE;
    first := s + 1;
    FOR i IN 1 .. coalesce(array_length(events, 1), 0) LOOP
      s := s + 1;
      h := encode(sha256(convert_to(
        '{"event":' || events[i] || ',"prevHash":"' || prev || '","seq":' || s::text || '}', 'UTF8')), 'hex');
      INSERT INTO audit_log (seq, time, type, user_id, action, decision, policy_version, policies, event, prev_hash, hash)
      VALUES (s, times[i], types[i], user_ids[i], actions[i], decisions[i], policy_versions[i], policies[i], events[i], prev, h);
      IF replays[i] IS NOT NULL THEN
        INSERT INTO audit_replay (seq, time, input) VALUES (s, times[i], replays[i]);
      END IF;
      prev := h;
    END LOOP;
    UPDATE audit_head SET seq = s, hash = prev WHERE id = 1;
    RETURN first;
  END
  $fn$;
  CREATE OR REPLACE FUNCTION stepgate_audit_append(
    events text[], times bigint[], types text[], user_ids text[], actions text[], decisions text[],
    policy_versions text[], policies text[]
  ) RETURNS bigint LANGUAGE sql AS $fn$
    SELECT stepgate_audit_append(events, times, types, user_ids, actions, decisions, policy_versions,
      policies, NULL::text[])
  $fn$;
  `,
  // 5: console sessions shared by every replica (docs/operators.md "The console"): the HMAC of
  // the cookie, the admin key sealed under the master key.
  `
  CREATE TABLE console_sessions (
    id_hash TEXT PRIMARY KEY, key_sealed TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL
  );
  CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
  `,
  // 6: no index of decisions by user, as on SQLite (issue 18): nothing reads decisions but by id,
  // and each decision's insert updated it at its user's place in the index. Replicas of the
  // version before run unchanged on this schema.
  'DROP INDEX IF EXISTS decisions_user;',
  // 7: remembered-device tokens by expiry, for the housekeeping purge (as SQLite's migration 9).
  // Replicas of the version before run unchanged on this schema.
  'CREATE INDEX device_tokens_expiry ON device_tokens (expires_at);',
];

/** The schema version the running code needs. */
export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;

/** The applied version (0 for an empty database). */
export async function postgresSchemaVersion(pool: Pool): Promise<number> {
  const exists = await pool.query("SELECT to_regclass('stepgate_migrations') IS NOT NULL AS ok");
  if (!(exists.rows[0] as PgRow).ok) return 0;
  const r = await pool.query('SELECT COALESCE(MAX(version), 0) AS v FROM stepgate_migrations');
  return int(r.rows[0] as PgRow, 'v');
}

/** Applies the missing migrations, each in its own transaction, under an advisory lock. */
export async function migratePostgres(pool: Pool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(
        'CREATE TABLE IF NOT EXISTS stepgate_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)',
      );
      const r = await client.query('SELECT COALESCE(MAX(version), 0) AS v FROM stepgate_migrations');
      const current = int(r.rows[0] as PgRow, 'v');
      for (let i = current; i < PG_MIGRATIONS.length; i++) {
        await client.query('BEGIN');
        try {
          await client.query(PG_MIGRATIONS[i]!);
          await client.query('INSERT INTO stepgate_migrations (version, applied_at) VALUES ($1, $2)', [
            i + 1,
            Date.now(),
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      }
      return PG_MIGRATIONS.length - current;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}
