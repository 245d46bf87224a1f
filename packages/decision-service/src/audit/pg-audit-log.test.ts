import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgRedisTestEnv, type PgRedisTestEnv } from '../stores/postgres/pg-redis-test-env.js';
import { openPostgresStores } from '../stores/postgres/postgres-stores.js';
import type { Stores } from '../stores/stores.js';
import { checkpointKey, createCheckpoint } from './audit-checkpoint.js';
import { verifyAuditRows } from './audit-verify.js';

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
