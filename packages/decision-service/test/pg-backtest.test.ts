/**
 * Backtests, replay retention and the console overview on the PostgreSQL store family: the same
 * decisions sent to a PostgreSQL-backed and to an embedded (SQLite) service give the same
 * backtest report and the same overview; retention prunes inputs in PostgreSQL; the chain still
 * verifies with inputs beside it; with replay off no input is kept; `stepgate backtest` reads the
 * chain in PostgreSQL.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditRows } from '../src/audit/audit-verify.js';
import { createProgram } from '../src/cli/program.js';
import type { RunningService } from '../src/index.js';
import { openPgRedisTestEnv, type PgRedisTestEnv } from '../src/stores/postgres/pg-redis-test-env.js';
import { openPostgresStores } from '../src/stores/postgres/postgres-stores.js';
import type { Stores } from '../src/stores/stores.js';
import { AMOUNTS, CANDIDATE } from './backtest-fixtures.js';
import { client, freshDir, start, testClock } from './helpers.js';

const POLICY = `
policies:
  - id: fresh-check-for-transfers
    when: { action: payments.transfer, transaction.amount: { gt: 500 } }
    require: { level: aal1, maxAge: 0, bindTransaction: true }
  - id: watch-usd
    mode: report-only
    when: { action: payments.transfer, transaction.currency: USD }
    effect: deny
default: allow
`;
const USERS = ['u0', 'u1', 'u2'];
const SINCE = '2029-12-31T00:00:00Z';

let env: PgRedisTestEnv;
beforeAll(async () => {
  env = await openPgRedisTestEnv();
});
afterAll(async () => {
  await env?.close();
});

interface History {
  svc: RunningService;
  admin: ReturnType<typeof client>;
  ids: string[];
  clock: ReturnType<typeof testClock>;
  /** PostgreSQL only: the schema's URL, the Redis key prefix and the family. */
  url?: string;
  prefix?: string;
  stores?: Stores;
  decide(i: number): Promise<string>;
}

async function history(
  family: 'sqlite' | 'postgres',
  replay: { enabled?: boolean; retention?: string } = {},
): Promise<History> {
  const clock = testClock();
  let stores: Stores | undefined;
  let url: string | undefined;
  let prefix: string | undefined;
  if (family === 'postgres') {
    const target = await env.freshTarget();
    url = target.url;
    prefix = target.prefix;
    stores = await openPostgresStores({ url, redis: env.redisUrl, prefix: target.prefix, migrate: true });
  }
  const svc = await start({
    clock,
    policies: POLICY,
    ...(stores ? { stores } : {}),
    config: {
      dataDir: freshDir(),
      audit: { replay: { enabled: true, transactionFields: ['amount', 'currency'], ...replay } },
    },
  });
  const call = client(svc);
  const admin = client({ url: svc.url, apiKey: svc.adminKey });
  for (const u of USERS)
    expect((await call('PUT', `/v1/users/${u}`, { email: `${u}@example.com` })).status).toBe(200);
  const ids: string[] = [];
  const decide = async (i: number) => {
    const res = await call('POST', '/v1/decisions', {
      subject: { id: USERS[i % USERS.length]!, sessionId: `s${i % USERS.length}`, acr: 'aal1' },
      action: { name: 'payments.transfer' },
      transaction: {
        amount: AMOUNTS[i % AMOUNTS.length]!,
        currency: i % 3 === 0 ? 'USD' : 'EUR',
        payee: `P${i}`,
      },
      context: { ip: '198.51.100.7' },
    });
    expect(res.status).toBe(200);
    ids.push(res.body.decisionId as string);
    clock.advance(60_000);
    return res.body.decisionId as string;
  };
  return {
    svc,
    admin,
    ids,
    clock,
    decide,
    ...(url ? { url } : {}),
    ...(prefix ? { prefix } : {}),
    ...(stores ? { stores } : {}),
  };
}

/** 30 decisions, some labelled (the last label wins). */
async function sameHistory(h: History): Promise<void> {
  for (let i = 0; i < 30; i++) await h.decide(i);
  const call = client(h.svc);
  for (const [i, id] of h.ids.entries()) {
    const amount = AMOUNTS[i % AMOUNTS.length]!;
    if (amount >= 7000) await call('POST', `/v1/decisions/${id}/feedback`, { label: 'fraud' });
    if (amount === 300 || amount === 600)
      expect((await call('POST', `/v1/decisions/${id}/feedback`, { label: 'legit' })).status).toBe(204);
  }
}

/** The report with decision ids replaced by their index in the history (ids are random). */
function normalized(report: unknown, ids: string[]): unknown {
  let text = JSON.stringify(report);
  for (const [i, id] of ids.entries()) text = text.replaceAll(id, `#${i}`);
  return JSON.parse(text);
}

async function rowCount(url: string, table: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query(`SELECT COUNT(*)::int AS n FROM ${table}`);
    return r.rows[0].n as number;
  } finally {
    await c.end();
  }
}

describe('backtests and the overview on PostgreSQL', () => {
  const open: RunningService[] = [];
  afterAll(async () => {
    for (const s of open) await s.close();
  });

  it('a backtest and the overview on PostgreSQL equal those of the embedded family for the same decisions', async () => {
    const onPg = await history('postgres');
    const onSqlite = await history('sqlite');
    open.push(onPg.svc, onSqlite.svc);
    await sameHistory(onPg);
    await sameHistory(onSqlite);
    const body = { policy: CANDIDATE, since: SINCE, until: new Date(onPg.clock() + 1000).toISOString() };
    const pgRes = await onPg.admin('POST', '/v1/backtests', body);
    expect(pgRes.status).toBe(200);
    const sqliteRes = await onSqlite.admin('POST', '/v1/backtests', body);
    expect(sqliteRes.status).toBe(200);
    const r = pgRes.body;
    expect(r.decisions).toBe(30);
    expect(r.replayable).toBe(30);
    expect(r.notReplayable).toEqual({ count: 0, reasons: {} });
    // In force: > 500 steps up; candidate: > 250 steps up, USD > 5000 denied.
    const amounts = Array.from({ length: 30 }, (_, i) => AMOUNTS[i % AMOUNTS.length]!);
    expect(r.now.outcomes).toEqual({
      allow: amounts.filter((a) => a <= 500).length,
      step_up: amounts.filter((a) => a > 500).length,
      deny: 0,
    });
    expect(r.transitions.length).toBeGreaterThan(0);
    expect(r.labels.fraud.labelled).toBe(amounts.filter((a) => a >= 7000).length);
    expect(r.friction.challenges.created).toBe(amounts.filter((a) => a > 500).length);
    expect(normalized(r, onPg.ids)).toEqual(normalized(sqliteRes.body, onSqlite.ids));

    const query = `/v1/overview?since=${SINCE}&until=${body.until}&step=600`;
    const pgOverview = await onPg.admin('GET', query);
    expect(pgOverview.status).toBe(200);
    const sqliteOverview = await onSqlite.admin('GET', query);
    expect(sqliteOverview.status).toBe(200);
    const o = pgOverview.body;
    expect(o.totals).toEqual({
      allow: r.now.outcomes.allow,
      step_up: r.now.outcomes.step_up,
      deny: 0,
      invalid_request: 0,
    });
    expect(o.reportOnly).toEqual([{ policyId: 'watch-usd', decision: 'deny', count: 10 }]);
    expect(o.audit.records).toBeGreaterThan(30);
    const { latency: _a, ...pgRest } = o;
    const { latency: _b, ...sqliteRest } = sqliteOverview.body;
    expect(pgRest).toEqual(sqliteRest);
  });

  it('stepgate backtest reads the chain in PostgreSQL: the same report as the route', async () => {
    const h = await history('postgres');
    open.push(h.svc);
    await sameHistory(h);
    const dir = freshDir();
    const policyFile = join(dir, 'policies.yaml');
    const candidateFile = join(dir, 'candidate.yaml');
    writeFileSync(policyFile, POLICY);
    writeFileSync(candidateFile, CANDIDATE);
    const configFile = join(dir, 'stepgate.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        dataDir: join(dir, 'data'),
        policies: [policyFile],
        store: { type: 'postgres', url: h.url, redis: env.redisUrl, prefix: h.prefix },
      }),
    );
    const until = new Date(h.clock() + 1000).toISOString();
    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
    await createProgram(io).parseAsync(
      [
        'backtest',
        '-c',
        configFile,
        '--policy',
        candidateFile,
        '--since',
        SINCE,
        '--until',
        until,
        '--format',
        'json',
      ],
      { from: 'user' },
    );
    const viaHttp = await h.admin('POST', '/v1/backtests', { policy: CANDIDATE, since: SINCE, until });
    expect(viaHttp.status).toBe(200);
    expect(viaHttp.body.replayable).toBe(30);
    expect(JSON.parse(out.join('\n'))).toEqual(viaHttp.body);
  });

  it('replay retention prunes the inputs in PostgreSQL; the chain still verifies with inputs beside it', async () => {
    const h = await history('postgres', { retention: '1h' });
    open.push(h.svc);
    await h.decide(5); // 8000: step_up now
    h.clock.advance(2 * 3600_000);
    await h.decide(0); // 100: allow
    await h.decide(1); // 300: allow
    expect(await rowCount(h.url!, 'audit_replay')).toBe(2);
    const res = await h.admin('POST', '/v1/backtests', {
      since: SINCE,
      until: new Date(h.clock() + 1000).toISOString(),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      decisions: 3,
      replayable: 2,
      notReplayable: { count: 1, reasons: { no_input: 1 } },
      now: { outcomes: { allow: 2, step_up: 0, deny: 0 } },
    });
    const report = await verifyAuditRows(h.stores!.auditSource!().rows());
    expect(report.ok).toBe(true);
    expect(report.count).toBeGreaterThan(3);
  });

  it('with audit.replay.enabled false no input is kept and every decision counts not replayable', async () => {
    const h = await history('postgres', { enabled: false });
    open.push(h.svc);
    for (let i = 0; i < 3; i++) await h.decide(i);
    expect(await rowCount(h.url!, 'audit_replay')).toBe(0);
    const res = await h.admin('POST', '/v1/backtests', {
      since: SINCE,
      until: new Date(h.clock() + 1000).toISOString(),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ decisions: 3, replayable: 0, notReplayable: { count: 3 } });
    expect((await verifyAuditRows(h.stores!.auditSource!().rows())).ok).toBe(true);
  });
});
