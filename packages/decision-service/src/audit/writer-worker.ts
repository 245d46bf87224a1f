import { GENESIS_HASH, hashedText } from './audit-record.js';

/**
 * The audit writer thread. It owns the write connection of `audit.db` so that an fsync never
 * blocks the event loop: while one batch is being made durable, the main thread keeps deciding
 * and queues the next batch (group commit).
 *
 * Durability: WAL with `synchronous = FULL`, so every commit fsyncs the WAL before the batch is
 * acknowledged; a crash (kill -9, power loss) after the acknowledgement cannot lose the batch.
 * (`NORMAL` would only be safe against process crashes, not power loss, and is not used.)
 *
 * The code is a CommonJS string run with `eval: true`, so it works unchanged from the TypeScript
 * sources (tests), the rollup build and an esbuild bundle. The hash formula is not written here:
 * the string embeds the compiled text of `hashedText` (audit-record.ts), the one typed
 * implementation that `stepgate audit verify` also runs, and the genesis hash from the same module.
 * `hashedText` reads nothing but its parameters, so its text runs anywhere.
 */
export const WRITER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashedText = (${hashedText.toString()});
const Database = require(workerData.sqlitePath);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 10000');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = ' + workerData.synchronous);
const head = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
const insert = db.prepare('INSERT INTO audit_log (seq, time, type, user_id, action, decision, policy_version, policies, event, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
const insertReplay = db.prepare('INSERT INTO audit_replay (seq, time, input) VALUES (?, ?, ?)');
const pruneReplay = db.prepare('DELETE FROM audit_replay WHERE time < ?');
let prunedAt = 0;
const write = db.transaction((items) => {
  const last = head.get();
  let seq = last ? last.seq : 0;
  let prev = last ? last.hash : ${JSON.stringify(GENESIS_HASH)};
  const first = seq + 1;
  for (const it of items) {
    seq += 1;
    const hash = createHash('sha256').update(hashedText(seq, prev, it.event)).digest('hex');
    insert.run(seq, it.time, it.type, it.userId, it.action, it.decision, it.policyVersion, it.policies, it.event, prev, hash);
    if (it.replay !== undefined) insertReplay.run(seq, it.time, it.replay);
    prev = hash;
  }
  // Replay inputs past their retention go (the records stay: they are hash-chained).
  // The service's clock: the time of the batch's last record.
  const now = items.length > 0 ? items[items.length - 1].time : 0;
  if (now - prunedAt > 60000) {
    prunedAt = now;
    pruneReplay.run(now - workerData.replayRetentionMs);
  }
  return first;
});
const ROLLBACK = new Error('probe');
const probe = db.transaction(() => {
  insert.run(-1, 0, 'probe', null, null, null, null, null, '{}', '', '');
  throw ROLLBACK;
});
parentPort.on('message', (m) => {
  if (m.kind === 'probe') {
    // A write that is rolled back: the writer, the file and the insert path work (readiness).
    try {
      probe.immediate();
    } catch (error) {
      if (error !== ROLLBACK) return parentPort.postMessage({ probe: m.id, ok: false, message: String(error && error.message) });
    }
    return parentPort.postMessage({ probe: m.id, ok: true });
  }
  if (m.kind === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const first = write.immediate(m.items);
    parentPort.postMessage({ id: m.id, ok: true, first });
  } catch (error) {
    parentPort.postMessage({ id: m.id, ok: false, message: String(error && error.message) });
  }
});
parentPort.postMessage({ kind: 'ready' });
`;
