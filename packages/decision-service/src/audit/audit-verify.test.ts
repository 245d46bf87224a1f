import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson } from '@stepgate/protocol';
import type Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { checkpointKey, createCheckpoint, parseCheckpoint } from './audit-checkpoint.js';
import { AuditLog } from './audit-log.js';
import type { AuditRow } from './audit-reader.js';
import { type AuditEventBody, recordHash } from './audit-record.js';
import { verifyAuditLog } from './audit-verify.js';

const key = checkpointKey(randomBytes(32));

async function seeded(n: number) {
  const log = await AuditLog.open({ file: join(mkdtempSync(join(tmpdir(), 'stepgate-audit-')), 'audit.db') });
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      log.append({
        type: 'decision',
        decisionId: `dec_${i}`,
        who: { userId: `u${i}` },
        what: { action: 'payments.transfer' },
        where: { ip: '203.0.113.7' },
        decision: i % 3 === 0 ? 'step_up' : 'allow',
        reasons: [{ policyId: 'high-value', code: 'policy_matched', values: { amount: i } }],
        risk: { score: i, level: 'low', signals: { newDevice: false } },
        reportOnly: [],
        policyVersion: 'v1',
      }),
    ),
  );
  await log.close();
  const reader = (await import('./audit-reader.js')).AuditReader.openFile(log.reader.db.name);
  // Tampering means going around the append-only triggers first.
  reader.db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
  return reader;
}

const kinds = (db: Database.Database, checkpoint?: ReturnType<typeof createCheckpoint>) => {
  const rows = db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as AuditRow[];
  const report = verifyAuditLog(rows, checkpoint ? { checkpoint, publicKey: key.publicKey } : {});
  return {
    ok: report.ok,
    kinds: [...new Set(report.problems.map((p) => p.kind))],
    seqs: report.problems.map((p) => p.seq),
  };
};

/** Rewrites records from `seq` on with correct hashes: what an attacker without the checkpoint key can do. */
function recompute(db: Database.Database, fromSeq: number) {
  const rows = db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as AuditRow[];
  let prev = rows.find((r) => r.seq === fromSeq - 1)?.hash ?? '0'.repeat(64);
  for (const r of rows.filter((x) => x.seq >= fromSeq)) {
    const hash = recordHash(r.seq, prev, JSON.parse(r.event) as AuditEventBody);
    db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?').run(prev, hash, r.seq);
    prev = hash;
  }
}

describe('S28: stepgate audit verify finds tampering', () => {
  let reader: Awaited<ReturnType<typeof seeded>>;
  beforeEach(async () => {
    reader = await seeded(20);
  });

  it('an untouched log verifies, with and without its checkpoint', () => {
    const cp = createCheckpoint(reader, key, Date.now());
    expect(cp).toMatchObject({ count: 20, seq: 20 });
    expect(parseCheckpoint(JSON.stringify(cp))).toEqual(cp);
    expect(kinds(reader.db)).toEqual({ ok: true, kinds: [], seqs: [] });
    expect(kinds(reader.db, cp).ok).toBe(true);
  });

  it('S28: a flipped record (one byte of its event)', () => {
    const row = reader.get(7)!;
    reader.db
      .prepare('UPDATE audit_log SET event = ? WHERE seq = 7')
      .run(row.event.replace('203.0.113.7', '203.0.113.8'));
    expect(kinds(reader.db)).toMatchObject({ ok: false, seqs: [7] });
    expect(kinds(reader.db).kinds).toContain('hash_mismatch');
  });

  it('S28: an edited query column (hiding a record from GET /v1/audit)', () => {
    reader.db.prepare("UPDATE audit_log SET user_id = 'someone-else' WHERE seq = 4").run();
    expect(kinds(reader.db)).toEqual({ ok: false, kinds: ['index_mismatch'], seqs: [4] });
  });

  it('S28: a deleted record', () => {
    reader.db.prepare('DELETE FROM audit_log WHERE seq = 9').run();
    expect(kinds(reader.db).kinds).toEqual(expect.arrayContaining(['seq_gap', 'chain_break']));
  });

  it('S28: an inserted record (later ones renumbered)', () => {
    reader.db.exec(
      'UPDATE audit_log SET seq = seq + 1000 WHERE seq > 5; UPDATE audit_log SET seq = seq - 999 WHERE seq > 1000',
    );
    const forged = JSON.parse(reader.get(5)!.event) as AuditEventBody;
    forged.who.userId = 'mallory';
    const text = canonicalJson(forged);
    const prev = reader.get(5)!.hash;
    reader.db
      .prepare(
        "INSERT INTO audit_log (seq, time, type, user_id, action, decision, policy_version, policies, event, prev_hash, hash) VALUES (6, ?, 'decision', 'mallory', 'payments.transfer', ?, 'v1', ',high-value,', ?, ?, ?)",
      )
      .run(Date.parse(forged.time), forged.outcome, text, prev, recordHash(6, prev, forged));
    const result = kinds(reader.db);
    expect(result.ok).toBe(false);
    expect(result.kinds).toContain('chain_break');
    expect(result.seqs).toContain(7);
  });

  it('S28: two records swapped', () => {
    const a = reader.get(3)!;
    const b = reader.get(4)!;
    const put = reader.db.prepare(
      'UPDATE audit_log SET event = ?, prev_hash = ?, hash = ?, user_id = ? WHERE seq = ?',
    );
    put.run(b.event, b.prev_hash, b.hash, b.user_id, 3);
    put.run(a.event, a.prev_hash, a.hash, a.user_id, 4);
    expect(kinds(reader.db).kinds).toEqual(expect.arrayContaining(['chain_break', 'hash_mismatch']));
  });

  it('S28: a truncated tail is found only against a checkpoint', () => {
    const cp = createCheckpoint(reader, key, Date.now());
    reader.db.prepare('DELETE FROM audit_log WHERE seq > 15').run();
    expect(kinds(reader.db).ok).toBe(true);
    expect(kinds(reader.db, cp)).toMatchObject({ ok: false, kinds: ['truncated'] });
  });

  it('S28: a recomputed chain is found only against a checkpoint', () => {
    const cp = createCheckpoint(reader, key, Date.now());
    const row = reader.get(12)!;
    reader.db
      .prepare('UPDATE audit_log SET event = ? WHERE seq = 12')
      .run(row.event.replace('"u11"', '"u99"'));
    reader.db.prepare("UPDATE audit_log SET user_id = 'u99' WHERE seq = 12").run();
    recompute(reader.db, 12);
    expect(kinds(reader.db).ok).toBe(true);
    expect(kinds(reader.db, cp)).toMatchObject({ ok: false, kinds: ['checkpoint_mismatch'], seqs: [20] });
  });

  it('S28: a checkpoint signed with another key, or edited, is refused', () => {
    const cp = createCheckpoint(reader, key, Date.now());
    const other = createCheckpoint(reader, checkpointKey(randomBytes(32)), Date.now());
    expect(kinds(reader.db, other).kinds).toEqual(['bad_checkpoint_signature']);
    expect(kinds(reader.db, { ...cp, count: 19 }).kinds).toContain('bad_checkpoint_signature');
  });
});
