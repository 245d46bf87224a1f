import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgRedisTestEnv, type PgRedisTestEnv } from '../stores/postgres/pg-redis-test-env.js';
import { openPostgresStores } from '../stores/postgres/postgres-stores.js';
import type { Stores } from '../stores/stores.js';
import { payDecision } from '../tuning/replay-test-fixture.js';
import { checkpointKey, createCheckpoint } from './audit-checkpoint.js';
import type { AuditInput } from './audit-event.js';
import { AuditLog } from './audit-log.js';
import type { BacktestSource } from './audit-port.js';
import type { AuditRow, ReplayRow } from './audit-reader.js';
import { auditEventText } from './audit-record.js';
import { verifyAuditRows } from './audit-verify.js';
import { sqliteBacktestSource } from './sqlite-analytics.js';

let env: PgRedisTestEnv;
beforeAll(async () => {
  env = await openPgRedisTestEnv();
});
afterAll(async () => {
  await env?.close();
});

describe('PgAuditLog: one chain for every replica', () => {
  it('S27-S29: concurrent writers of three families (replicas) form one gapless, verifiable chain', async () => {
    const { url, prefix } = await env.freshTarget();
    const replicas: Stores[] = [];
    for (let i = 0; i < 3; i++)
      replicas.push(await openPostgresStores({ url, redis: env.redisUrl, prefix, migrate: true }));
    const logs = await Promise.all(replicas.map((s) => s.openAudit!({})));
    const seqs = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        logs[i % 3]!.appendRecord({
          type: 'factor.added',
          who: { userId: `u${i}` },
          what: { method: 'totp' },
          factorId: `fac_${i}`,
        }),
      ),
    );
    expect(new Set(seqs).size).toBe(300);
    expect(Math.min(...seqs)).toBe(1);
    expect(Math.max(...seqs)).toBe(300);
    const source = replicas[0]!.auditSource!();
    const key = checkpointKey(Buffer.alloc(32, 3));
    const checkpoint = createCheckpoint(await source.head(), key, Date.now());
    expect(checkpoint.count).toBe(300);
    const report = await verifyAuditRows(source.rows(), { checkpoint, publicKey: key.publicKey });
    expect(report).toMatchObject({ ok: true, count: 300, headSeq: 300, checkpointMatched: true });
    const page = await logs[0]!.reader.query({ userId: 'u7' });
    expect(page.records.map((r) => r.event.factorId)).toEqual(['fac_7']);

    // Tampering: the table refuses edits; with the trigger dropped, verify finds the edit.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await expect(client.query("UPDATE audit_log SET type = 'x' WHERE seq = 5")).rejects.toThrow(
      /append-only/,
    );
    await expect(client.query('DELETE FROM audit_log WHERE seq = 5')).rejects.toThrow(/append-only/);
    await client.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change');
    await client.query('DELETE FROM audit_log WHERE seq = 5');
    await client.end();
    const broken = await verifyAuditRows(source.rows());
    expect(broken.ok).toBe(false);
    expect(broken.problems.map((p) => p.kind)).toContain('seq_gap');
    await Promise.all(logs.map((l) => l.close()));
    for (const r of replicas) await r.close();
  });
});

describe('PgAuditLog: replay inputs beside the chain', () => {
  it('writes the same records as the embedded log (digest in the event), the inputs beside them', async () => {
    const now = Date.UTC(2030, 0, 1);
    const stores = await env.freshStores();
    const pgLog = await stores.openAudit!({ now: () => now });
    const file = join(mkdtempSync(join(tmpdir(), 'stepgate-pg-replay-')), 'audit.db');
    const sqliteLog = await AuditLog.open({ file, now: () => now });
    const events: AuditInput[] = [
      payDecision('dec_1', 500, now),
      { type: 'factor.added', who: { userId: 'u1' }, what: { method: 'totp' }, factorId: 'fac_1' },
      payDecision('dec_2', 50, now),
    ];
    for (const e of events) {
      await pgLog.appendRecord(e);
      await sqliteLog.appendRecord(e);
    }
    const pgRows: AuditRow[] = [];
    for await (const r of stores.auditSource!().rows()) pgRows.push(r);
    const sqliteRows = [...sqliteLog.reader.rows()];
    expect(pgRows).toEqual(sqliteRows);
    expect(JSON.parse(pgRows[0]!.event).replayDigest).toMatch(/^[0-9a-f]{64}$/);
    // The inputs, read as a backtest reads them: equal on both families.
    const read = async (source: BacktestSource) => {
      const rows: ReplayRow[] = [];
      for await (const page of source.decisionsForReplay(0, now + 1)) rows.push(...page);
      return rows;
    };
    const pgReplays = await read(pgLog.analytics!.openBacktestSource());
    expect(pgReplays.map((r) => [r.seq, r.decisionId, r.input !== null])).toEqual([
      [1, 'dec_1', true],
      [3, 'dec_2', true],
    ]);
    expect(pgReplays).toEqual(await read(sqliteBacktestSource(sqliteLog.reader)));
    expect((await verifyAuditRows(stores.auditSource!().rows())).ok).toBe(true);
    await sqliteLog.close();
    await pgLog.close();
  });

  it('prunes inputs past the retention (at most once a minute); the records and the chain stay', async () => {
    let now = Date.UTC(2030, 0, 1);
    const stores = await env.freshStores();
    const log = await stores.openAudit!({ now: () => now, replayRetention: 3600 });
    await log.appendRecord(payDecision('dec_old', 500, now));
    now += 2 * 3600_000;
    await log.appendRecord(payDecision('dec_new', 50, now));
    const source = log.analytics!.openBacktestSource();
    const rows: ReplayRow[] = [];
    for await (const page of source.decisionsForReplay(0, now + 1)) rows.push(...page);
    expect(rows.map((r) => [r.decisionId, r.input === null])).toEqual([
      ['dec_old', true],
      ['dec_new', false],
    ]);
    expect(rows[0]!.digest).toMatch(/^[0-9a-f]{64}$/);
    expect((await verifyAuditRows(stores.auditSource!().rows())).ok).toBe(true);
    await log.close();
  });

  it('a failed prune reaches onPruneFailure once a minute; the batches are still acknowledged', async () => {
    let now = Date.UTC(2030, 0, 1);
    const { url, prefix } = await env.freshTarget();
    const stores = await openPostgresStores({ url, redis: env.redisUrl, prefix, migrate: true });
    const failures: Error[] = [];
    const log = await stores.openAudit!({
      now: () => now,
      replayRetention: 3600,
      onPruneFailure: (error) => failures.push(error),
    });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(
      `CREATE FUNCTION refuse_prune() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no prune today'; END $$`,
    );
    await client.query(
      `CREATE TRIGGER refuse_prune BEFORE DELETE ON audit_replay FOR EACH STATEMENT EXECUTE FUNCTION refuse_prune()`,
    );
    await log.appendRecord(payDecision('dec_1', 10, now));
    expect(failures.map((e) => e.message)).toEqual([expect.stringContaining('no prune today')]);
    now += 30_000;
    expect(await log.appendRecord(payDecision('dec_2', 10, now))).toBe(2);
    expect(failures).toHaveLength(1);
    now += 31_000;
    await log.appendRecord(payDecision('dec_3', 10, now));
    expect(failures).toHaveLength(2);
    await client.query('DROP TRIGGER refuse_prune ON audit_replay');
    now += 61_000;
    await log.appendRecord(payDecision('dec_4', 10, now));
    expect(failures).toHaveLength(2);
    await client.end();
    await log.close();
  });

  it('a backtest source pages by seq through windows of more than one page, inputs included', async () => {
    let now = Date.UTC(2030, 0, 1);
    const stores = await env.freshStores();
    const log = await stores.openAudit!({ now: () => now });
    const appends: Promise<number>[] = [];
    for (let i = 0; i < 2600; i++) {
      now += 1000;
      appends.push(
        log.appendRecord(
          i % 5 === 4
            ? { type: 'challenge.created', who: { userId: 'u1' }, what: {}, challengeId: `ch_${i}` }
            : payDecision(`dec_${i}`, i, now),
        ),
      );
    }
    await Promise.all(appends);
    const source = log.analytics!.openBacktestSource();
    // Seconds 101..2400 of the history: i from 100 to 2399.
    const from = Date.UTC(2030, 0, 1) + 101_000;
    const to = Date.UTC(2030, 0, 1) + 2401_000;
    const ids: string[] = [];
    const pages: number[] = [];
    for await (const page of source.decisionsForReplay(from, to)) {
      pages.push(page.length);
      for (const r of page) {
        expect(r.input).not.toBeNull();
        ids.push(r.decisionId!);
      }
    }
    const want = Array.from({ length: 2300 }, (_, k) => k + 100)
      .filter((i) => i % 5 !== 4)
      .map((i) => `dec_${i}`);
    expect(ids).toEqual(want);
    expect(pages).toEqual([1000, 840]);
    expect(await source.countDecisions(from, to)).toBe(want.length);
    let events = 0;
    for await (const page of source.eventsOfTypes(['challenge.created'], from, to)) events += page.length;
    expect(events).toBe(460);
    let none = 0;
    for await (const page of source.decisionsForReplay(to + 10_000_000, to + 20_000_000)) none += page.length;
    expect(none).toBe(0);
    await log.close();
  });

  it('the previous 8-argument append still works (replicas of the previous version), without inputs', async () => {
    const { url, prefix } = await env.freshTarget();
    const stores = await openPostgresStores({ url, redis: env.redisUrl, prefix, migrate: true });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { text, columns: c } = auditEventText(
      { type: 'factor.added', who: { userId: 'u1' }, what: { method: 'totp' }, factorId: 'fac_1' },
      Date.UTC(2030, 0, 1),
    );
    const r = await client.query(
      'SELECT stepgate_audit_append($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS first',
      [[text], [c.time], [c.type], [c.userId], [c.action], [c.decision], [c.policyVersion], [c.policies]],
    );
    expect(Number(r.rows[0].first)).toBe(1);
    const replays = await client.query('SELECT COUNT(*)::int AS n FROM audit_replay');
    expect(replays.rows[0].n).toBe(0);
    await client.end();
    expect((await verifyAuditRows(stores.auditSource!().rows())).ok).toBe(true);
    await stores.close();
  });
});
