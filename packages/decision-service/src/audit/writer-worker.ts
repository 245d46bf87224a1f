import type { createHash as CreateHash } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { GENESIS_HASH, hashedText, type StoredAuditRecord } from './audit-record.js';

/** The settings the audit log gives its writer thread (`workerData`). */
export interface WriterSettings {
  file: string;
  /** The resolved path of better-sqlite3, so the thread loads the service's own copy. */
  sqlitePath: string;
  synchronous: 'FULL' | 'NORMAL';
  replayRetentionMs: number;
}

/** One record as the main thread hands it over: the event's canonical text, its columns, its replay input. */
export type WriterItem = StoredAuditRecord;

/** Messages to the writer thread. */
export type WriterRequest =
  | { id: number; items: WriterItem[] }
  | { kind: 'probe'; id: number }
  | { kind: 'close' };

/** Messages from the writer thread. */
export type WriterReply =
  | { kind: 'ready' }
  | { id: number; ok: true; first: number }
  | { id: number; ok: false; message: string }
  | { probe: number; ok: boolean; message?: string };

/** Everything the writer thread uses: it reads nothing from the module around it. */
export interface WriterIo {
  port: {
    on(event: 'message', listener: (m: WriterRequest) => void): unknown;
    postMessage(m: WriterReply): void;
    close(): void;
  };
  settings: WriterSettings;
  createHash: typeof CreateHash;
  Database: typeof BetterSqlite3;
  hashedText: typeof hashedText;
  genesisHash: string;
}

/**
 * The audit writer thread. It owns the write connection of `audit.db` so that an fsync never
 * blocks the event loop: while one batch is being made durable, the main thread keeps deciding
 * and queues the next batch (group commit).
 *
 * Durability: WAL with `synchronous = FULL`, so every commit fsyncs the WAL before the batch is
 * acknowledged; a crash (kill -9, power loss) after the acknowledgement cannot lose the batch.
 *
 * Typed and linted here, it runs in the thread as its own text ({@link WRITER_SOURCE}), with its
 * modules passed in: it must use nothing but its parameter.
 */
export function runAuditWriter(io: WriterIo): void {
  const { port, settings } = io;
  const db = new io.Database(settings.file);
  db.pragma('busy_timeout = 10000');
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${settings.synchronous}`);
  const head = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  const insert = db.prepare(
    'INSERT INTO audit_log (seq, time, type, user_id, action, decision, policy_version, policies, event, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertReplay = db.prepare('INSERT INTO audit_replay (seq, time, input) VALUES (?, ?, ?)');
  const pruneReplay = db.prepare('DELETE FROM audit_replay WHERE time < ?');
  let prunedAt = 0;
  const write = db.transaction((items: WriterItem[]): number => {
    const last = head.get() as { seq: number; hash: string } | undefined;
    let seq = last ? last.seq : 0;
    let prev = last ? last.hash : io.genesisHash;
    const first = seq + 1;
    for (const it of items) {
      seq += 1;
      const hash = io
        .createHash('sha256')
        .update(io.hashedText(seq, prev, it.event))
        .digest('hex');
      insert.run(
        seq,
        it.time,
        it.type,
        it.userId,
        it.action,
        it.decision,
        it.policyVersion,
        it.policies,
        it.event,
        prev,
        hash,
      );
      if (it.replay !== undefined) insertReplay.run(seq, it.time, it.replay);
      prev = hash;
    }
    // Replay inputs past their retention go (the records stay: they are hash-chained).
    // The service's clock: the time of the batch's last record.
    const now = items.length > 0 ? items[items.length - 1]!.time : 0;
    if (now - prunedAt > 60_000) {
      prunedAt = now;
      pruneReplay.run(now - settings.replayRetentionMs);
    }
    return first;
  });
  const ROLLBACK = new Error('probe');
  const probe = db.transaction(() => {
    insert.run(-1, 0, 'probe', null, null, null, null, null, '{}', '', '');
    throw ROLLBACK;
  });
  const message = (error: unknown) => String((error as Error | undefined)?.message);
  port.on('message', (m) => {
    if ('kind' in m && m.kind === 'probe') {
      // A write that is rolled back: the writer, the file and the insert path work (readiness).
      try {
        probe.immediate();
      } catch (error) {
        if (error !== ROLLBACK) return port.postMessage({ probe: m.id, ok: false, message: message(error) });
      }
      return port.postMessage({ probe: m.id, ok: true });
    }
    if ('kind' in m) {
      db.close();
      port.close();
      return;
    }
    try {
      port.postMessage({ id: m.id, ok: true, first: write.immediate(m.items) });
    } catch (error) {
      port.postMessage({ id: m.id, ok: false, message: message(error) });
    }
  });
  port.postMessage({ kind: 'ready' });
}

/**
 * The writer thread's program: {@link runAuditWriter} and {@link hashedText} (the chain's one
 * formula, which `stepgate audit verify` also runs) as their own compiled text, called with the
 * thread's modules. A CommonJS string run with `eval: true`, so it works unchanged from the
 * TypeScript sources (tests), the rollup build and an esbuild bundle, none of which would ship a
 * separate worker file.
 */
export const WRITER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(${runAuditWriter.toString()})({
  port: parentPort,
  settings: workerData,
  createHash: require('node:crypto').createHash,
  Database: require(workerData.sqlitePath),
  hashedText: (${hashedText.toString()}),
  genesisHash: ${JSON.stringify(GENESIS_HASH)},
});
`;
