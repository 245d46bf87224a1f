import type Database from 'better-sqlite3';

/** File name of the audit database inside the data directory (apart from the main store). */
export const AUDIT_DB_FILE_NAME = 'audit.db';

/**
 * The audit table. `seq` is assigned by the writer inside `BEGIN IMMEDIATE` (so several service
 * processes append to one chain); the other columns besides `event`, `prev_hash` and `hash` are an
 * index derived from `event` and checked again by `stepgate audit verify`.
 * Triggers refuse UPDATE and DELETE: an accident cannot rewrite history, and a deliberate edit
 * (which must drop them first) breaks the hash chain.
 */
const MIGRATIONS = [
  `CREATE TABLE audit_log (
     seq INTEGER PRIMARY KEY,
     time INTEGER NOT NULL,
     type TEXT NOT NULL,
     user_id TEXT,
     action TEXT,
     decision TEXT,
     policy_version TEXT,
     policies TEXT,
     event TEXT NOT NULL,
     prev_hash TEXT NOT NULL,
     hash TEXT NOT NULL
   );
   CREATE INDEX audit_log_time ON audit_log (time);
   CREATE INDEX audit_log_user ON audit_log (user_id, seq);
   CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
     BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
   CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
     BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;`,
  // Decisions' replay inputs (docs/audit.md "Replayable decisions"), keyed by the record's seq;
  // the record holds their SHA-256 (`replayDigest`). Deleted after the replay retention. The
  // (type, time) index lets a backtest read a window's feedback and challenge events alone.
  `CREATE TABLE audit_replay (
     seq INTEGER PRIMARY KEY,
     time INTEGER NOT NULL,
     input TEXT NOT NULL
   );
   CREATE INDEX audit_replay_time ON audit_replay (time);
   CREATE INDEX audit_log_type_time ON audit_log (type, time);`,
];

/** Applies the audit database's migrations (idempotent, numbered by `user_version`). */
/** @internal */
export function migrateAuditDb(db: Database.Database): void {
  db.pragma('busy_timeout = 10000');
  db.pragma('journal_mode = WAL');
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    for (let i = current; i < MIGRATIONS.length; i++) {
      db.exec(MIGRATIONS[i]!);
      db.pragma(`user_version = ${i + 1}`);
    }
  }).immediate();
}
