import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/**
 * The checkpointer thread: its own connection to the store's file copies the WAL back into the
 * database every `intervalMs` (`PRAGMA wal_checkpoint(PASSIVE)`: never waits for readers or
 * writers). A CommonJS string run with `eval: true`, like the audit writer, so it works from the
 * TypeScript sources, the rollup build and an esbuild bundle.
 */
const CHECKPOINTER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlitePath);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or failed: the next tick tries again, and the service's own fallback still checkpoints.
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** The main connection checkpoints by itself only past this many WAL pages (a lagging checkpointer). */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

/**
 * Moves the store's WAL checkpoints off the event loop. A checkpoint fsyncs the WAL and the
 * database file; run by SQLite's automatic checkpoint it happens inside the `COMMIT` of whichever
 * request crossed 1000 WAL pages and stalls every request behind it. Here a worker thread does
 * it, and the main connection keeps an automatic checkpoint only as a fallback
 * ({@link FALLBACK_AUTOCHECKPOINT_PAGES}). Durability is unchanged: a checkpoint only copies
 * pages that are already committed in the WAL.
 *
 * @example
 * const stop = startWalCheckpointer(store.db, 'data/stepgate.db');
 * await stop(); // before store.close()
 * @returns a function that stops the thread and closes its connection.
 */
export function startWalCheckpointer(
  db: Database.Database,
  file: string,
  intervalMs = 250,
): () => Promise<void> {
  if (db.memory) return async () => {};
  const worker = new Worker(CHECKPOINTER_SOURCE, {
    eval: true,
    workerData: { file, intervalMs, sqlitePath: createRequire(import.meta.url).resolve('better-sqlite3') },
  });
  worker.unref();
  db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  let stopping = false;
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      // A checkpointer that died hands checkpoints back to the main connection (SQLite's default).
      if (!stopping && db.open) db.pragma('wal_autocheckpoint = 1000');
      resolve();
    }),
  );
  // A failed checkpointer must never take the service down.
  worker.on('error', () => {});
  return async () => {
    stopping = true;
    // Unreferenced so it never keeps the process alive; while it closes it must, or a process with
    // nothing else left would end before the exit below and close() would never finish.
    worker.ref();
    worker.postMessage('close');
    await exited;
  };
}
