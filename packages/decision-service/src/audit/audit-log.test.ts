import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditInput } from './audit-event.js';
import { AuditLog } from './audit-log.js';
import { verifyAuditLog } from './audit-verify.js';

const file = () => join(mkdtempSync(join(tmpdir(), 'stepgate-audit-')), 'audit.db');
const event = (i: number): AuditInput => ({
  type: 'challenge.failed',
  who: { userId: `u${i % 7}` },
  what: { action: 'payments.transfer', method: 'totp' },
  challengeId: `chl_${i}`,
  detail: { attemptsLeft: 2, failure: 'wrong_code' },
});

describe('AuditLog', () => {
  const open: AuditLog[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((l) => l.close()));
  });
  const start = async (options: Partial<Parameters<typeof AuditLog.open>[0]> = {}) => {
    const log = await AuditLog.open({ file: file(), ...options });
    open.push(log);
    return log;
  };

  it('S29: group commit — concurrent appends share transactions and each resolves once durable', async () => {
    const batches: number[] = [];
    const log = await start({ onBatch: (size) => batches.push(size) });
    const seqs = await Promise.all(Array.from({ length: 500 }, (_, i) => log.appendRecord(event(i))));
    expect(new Set(seqs).size).toBe(500);
    expect(seqs.toSorted((a, b) => a - b)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(batches.reduce((a, b) => a + b, 0)).toBe(500);
    expect(batches.length).toBeLessThan(500);
    // Read on another connection: every acknowledged record is there and the chain verifies.
    const other = new Database(log.reader.db.name, { readonly: true });
    const rows = other.prepare('SELECT * FROM audit_log ORDER BY seq').all();
    other.close();
    expect(rows).toHaveLength(500);
    expect(verifyAuditLog(rows as never).ok).toBe(true);
  });

  it('S29: a failed write rejects the appends with service_unavailable, then recovers', async () => {
    const failures: Error[] = [];
    const log = await start({ onFailure: (e) => failures.push(e) });
    await log.append(event(0));
    log.reader.db.exec(
      "CREATE TRIGGER fail BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
    );
    await expect(log.append(event(1))).rejects.toMatchObject({ code: 'service_unavailable' });
    expect(log.healthy).toBe(false);
    expect(failures).toHaveLength(1);
    expect(await log.probe()).toBe(false);
    log.reader.db.exec('DROP TRIGGER fail');
    // Readiness comes back without traffic: the probe's write is rolled back, nothing is appended.
    expect(await log.probe()).toBe(true);
    expect(log.healthy).toBe(true);
    expect(log.reader.head().count).toBe(1);
    await log.append(event(2));
    expect(log.healthy).toBe(true);
    expect(log.reader.head().count).toBe(2);
    expect(verifyAuditLog(log.reader.rows()).ok).toBe(true);
  });

  it('S29: appends beyond the queue bound fail at once instead of piling up behind a stalled writer', async () => {
    const log = await start({ maxQueue: 10 });
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => log.append(event(i))));
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
    expect((rejected[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'service_unavailable' });
    expect(log.reader.head().count).toBe(results.length - rejected.length);
  });

  it('the log is append-only: UPDATE and DELETE are refused', async () => {
    const log = await start();
    await log.append(event(0));
    expect(() => log.reader.db.exec("UPDATE audit_log SET type = 'x'")).toThrow(/append-only/);
    expect(() => log.reader.db.exec('DELETE FROM audit_log')).toThrow(/append-only/);
  });

  it('two logs on one file (two service processes) extend one chain', async () => {
    const a = await start();
    const b = await AuditLog.open({ file: a.reader.db.name });
    open.push(b);
    await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).append(event(i))));
    const report = verifyAuditLog(a.reader.rows());
    expect(report).toMatchObject({ ok: true, count: 200 });
  });

  it('appends after close are refused', async () => {
    const log = await AuditLog.open({ file: file() });
    await log.close();
    await expect(log.append(event(0))).rejects.toMatchObject({ code: 'service_unavailable' });
  });
});
