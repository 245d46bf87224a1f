import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../audit/audit-log.js';
import { verifyAuditLog } from '../audit/audit-verify.js';
import { sqliteBacktestSource } from '../audit/sqlite-analytics.js';
import { runBacktest } from './backtest.js';
import { PAY_POLICY, payDecision } from './replay-test-fixture.js';

describe('replay inputs: retention and integrity', () => {
  const logs: AuditLog[] = [];
  afterEach(async () => {
    for (const l of logs.splice(0)) await l.close();
  });

  async function history(retention: number) {
    let now = Date.UTC(2030, 0, 1);
    const file = join(mkdtempSync(join(tmpdir(), 'stepgate-replay-')), 'audit.db');
    const log = await AuditLog.open({ file, replayRetention: retention, now: () => now });
    logs.push(log);
    const decide = (id: string, amount: number) => log.append(payDecision(id, amount, now));
    return {
      file,
      log,
      decide,
      advance: (ms: number) => {
        now += ms;
      },
    };
  }

  const backtest = (log: AuditLog) =>
    runBacktest({
      reader: sqliteBacktestSource(log.reader),
      current: PAY_POLICY,
      candidate: PAY_POLICY,
      since: 0,
      until: Date.UTC(2031, 0, 1),
    });

  it('deletes inputs past the retention, keeps the records and the chain, and counts them not replayable', async () => {
    const h = await history(3600);
    await h.decide('dec_old', 500);
    h.advance(2 * 3600_000);
    await h.decide('dec_new', 50);
    const report = await backtest(h.log);
    expect(report.decisions).toBe(2);
    expect(report.replayable).toBe(1);
    expect(report.notReplayable).toEqual({ count: 1, reasons: { no_input: 1 } });
    expect(report.now.outcomes).toEqual({ allow: 1, step_up: 0, deny: 0 });
    expect(verifyAuditLog(h.log.reader.rows()).ok).toBe(true);
  });

  it('an edited input no longer matches the digest in the chained record and is not used', async () => {
    const h = await history(86_400);
    await h.decide('dec_1', 500);
    await h.decide('dec_2', 50);
    const db = new Database(h.file);
    const row = db.prepare('SELECT seq, input FROM audit_replay ORDER BY seq LIMIT 1').get() as {
      seq: number;
      input: string;
    };
    // The allow-list default keeps only the field the policies compare.
    expect(JSON.parse(row.input).request.transaction).toEqual({ amount: 500 });
    db.prepare('UPDATE audit_replay SET input = ? WHERE seq = ?').run(row.input.replace('500', '5'), row.seq);
    db.close();
    const report = await backtest(h.log);
    expect(report.replayable).toBe(1);
    expect(report.notReplayable).toEqual({ count: 1, reasons: { digest_mismatch: 1 } });
  });
});
