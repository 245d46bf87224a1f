import type Database from 'better-sqlite3';

/**
 * Runs `commit` (one whole transaction) with `synchronous = FULL`, so its commit is fsynced before
 * it returns; the connection otherwise runs `NORMAL`, which in WAL mode survives a process crash
 * but may lose the last commits to a power loss. For state whose loss would reopen an attack: a
 * consumed single-use `jti` (S17), an accepted TOTP step (S6), a counted attempt (S7), a factor
 * or contact point added or removed (S31), a revoked API key or remembered device (S25), a
 * retired signing key (S19).
 *
 * Call it outside any transaction: SQLite refuses to change the level inside one ("Safety level
 * may not be changed inside a transaction").
 */
export function commitDurably<R>(db: Database.Database, commit: () => R): R {
  db.pragma('synchronous = FULL');
  try {
    return commit();
  } finally {
    db.pragma('synchronous = NORMAL');
  }
}

/**
 * Runs `work` (synchronous statements) atomically and durably, and resolves with its result once
 * its commit is fsynced; a `work` that throws leaves nothing behind and rejects. The service wires
 * {@link SqliteStore.durably}, which group-commits the writes of one event-loop turn.
 */
export type DurableWriter = <R>(work: () => R) => Promise<R>;

/** A {@link DurableWriter} that commits each write in its own fsynced `BEGIN IMMEDIATE` transaction. */
export function eachDurably(db: Database.Database): DurableWriter {
  return async (work) => commitDurably(db, () => db.transaction(work).immediate());
}
