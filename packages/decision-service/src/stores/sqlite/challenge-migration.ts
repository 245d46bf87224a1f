/**
 * Tables of the SQLite {@link ChallengeStore}: idempotent (`IF NOT EXISTS`), and appended to the
 * numbered `MIGRATIONS` so `PRAGMA user_version` records it.
 */
export const CHALLENGE_MIGRATION = `
  CREATE TABLE IF NOT EXISTS challenge_bindings (
    challenge_id TEXT PRIMARY KEY, factor_ids TEXT NOT NULL, email TEXT, phone TEXT,
    session_level TEXT NOT NULL, device_id TEXT, expires_at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS sent_codes (
    challenge_id TEXT PRIMARY KEY, method TEXT NOT NULL, hash TEXT NOT NULL, sent_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS attempt_counters (
    key TEXT PRIMARY KEY, failures INTEGER NOT NULL, last_failure_at INTEGER
  );
  CREATE TABLE IF NOT EXISTS totp_steps (factor_id TEXT PRIMARY KEY, last_step INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS rate_limits (
    key TEXT PRIMARY KEY, window_start INTEGER NOT NULL, hits INTEGER NOT NULL, expires_at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS enrollment_tickets (
    id TEXT PRIMARY KEY, user_id TEXT NOT NULL, session_id TEXT, methods TEXT NOT NULL,
    created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, pending_totp TEXT,
    attempts INTEGER NOT NULL DEFAULT 0, used_at INTEGER
  );
`;

/**
 * Enrollment tickets remember the level their step-up proved (S33). Its own numbered migration:
 * a released one never changes.
 */
export const TICKET_PROVEN_LEVEL_MIGRATION = `
  ALTER TABLE enrollment_tickets ADD COLUMN proven_level TEXT;
`;

/**
 * Send slots of the resend cooldown ({@link ChallengeStore.claimSendSlot}): one row per challenge,
 * the time of the last claim. Migration 5; idempotent like {@link CHALLENGE_MIGRATION}.
 */
export const SEND_SLOT_MIGRATION = `
  CREATE TABLE IF NOT EXISTS send_slots (
    challenge_id TEXT PRIMARY KEY, claimed_at INTEGER NOT NULL, expires_at INTEGER NOT NULL
  );
`;
