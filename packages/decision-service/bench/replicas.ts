// `pnpm bench` part 2: decisions per second and p99 of 1 and 2 replicas on PostgreSQL + Redis
// beside one on SQLite, in the same run, with server CPU per decision (every replica's threads).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
// @ts-expect-error: a plain .mjs tool without types
import { writeBenchSection } from '../../../tools/bench-report.mjs';
import { openPgRedisTestEnv } from '../src/stores/postgres/pg-redis-test-env.js';

const here = dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_REPLICA_CONNECTIONS ?? 32);

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
}

async function startReplica(args: string[]): Promise<{ child: ChildProcess; url: string; apiKey: string }> {
  const child = spawn('taskset', ['-c', '0', process.execPath, join(here, 'replica-server.mjs'), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, ...JSON.parse(line.toString().split('\n')[0]!) };
}

function bodies(): string[] {
  return Array.from({ length: 50 }, (_, i) =>
    JSON.stringify({
      subject: {
        id: `user${i}`,
        sessionId: `s${i}`,
        authTime: Math.floor(Date.now() / 1000) - 600,
        acr: 'aal1',
      },
      action: { name: ['payments.list', 'payments.transfer', 'profile.view', 'payments.payee.add'][i % 4] },
      transaction:
        i % 4 === 1 ? { amount: (i * 397) % 20_000, currency: 'EUR', payee: `FR76${i}` } : undefined,
      context: {
        ip: `198.51.100.${i}`,
        device: { v: 1, deviceId: `dev${i % 7}`, fingerprint: `fp${i}`, signals: { tz: 'Europe/Paris' } },
      },
    }),
  );
}

/** Load spread evenly over the replicas (one autocannon each); summed req/s, worst p99. */
async function load(urls: string[], apiKey: string, total: number) {
  const results = await Promise.all(
    urls.map((url) =>
      autocannon({
        url: `${url}/v1/decisions`,
        connections: Math.max(1, Math.floor(total / urls.length)),
        duration: seconds,
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        requests: bodies().map((body) => ({ method: 'POST', body })),
      }),
    ),
  );
  for (const r of results)
    if (r.non2xx > 0 || r.errors > 0) throw new Error(`${r.non2xx} non-2xx, ${r.errors} errors`);
  return {
    rps: results.reduce((s, r) => s + r.requests.average, 0),
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    total: results.reduce((s, r) => s + r.requests.total, 0),
  };
}

async function measure(label: string, replicas: Array<{ child: ChildProcess; url: string; apiKey: string }>) {
  const urls = replicas.map((r) => r.url);
  await load(urls, replicas[0]!.apiKey, connections); // warm-up
  const before = replicas.map((r) => cpuMs(r.child.pid!));
  const r = await load(urls, replicas[0]!.apiKey, connections);
  const cpu = replicas.reduce((s, x, i) => s + cpuMs(x.child.pid!) - before[i]!, 0);
  const scraped = await (await fetch(`${urls[0]}/metrics`)).text();
  const metric = (name: string) =>
    Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(scraped)?.[1] ?? Number.NaN);
  const batch = metric('stepgate_audit_batch_size_sum') / metric('stepgate_audit_batch_size_count');
  const commitMs =
    (1000 * metric('stepgate_audit_commit_duration_seconds_sum')) /
    metric('stepgate_audit_commit_duration_seconds_count');
  for (const x of replicas) {
    x.child.stdin!.end();
    await once(x.child, 'exit');
  }
  return `| ${label} | ${Math.round(r.rps)} | ${r.p50} ms | ${r.p99} ms | ${Math.round((1000 * cpu) / r.total)} µs | ${batch.toFixed(1)} | ${commitMs.toFixed(1)} ms |`;
}

const env = await openPgRedisTestEnv();
const rows: string[] = [];
try {
  rows.push(await measure('1 replica, SQLite (embedded)', [await startReplica(['sqlite'])]));
  for (const n of [1, 2]) {
    const { url, prefix } = await env.freshTarget();
    const replicas = [];
    for (let i = 0; i < n; i++) replicas.push(await startReplica(['postgres', url, env.redisUrl, prefix]));
    rows.push(await measure(`${n} replica${n > 1 ? 's' : ''}, PostgreSQL + Redis`, replicas));
  }
} finally {
  await env.close();
}
const markdown = `### Decision service: replicas on PostgreSQL + Redis

The same decisions (6 policies, 50 users, every answer after its audit record is durable) on one
SQLite replica and on 1 and 2 replicas sharing PostgreSQL 15 + Redis 7 on this machine, in one
run. Replicas pinned to core 0 (\`taskset -c 0\`), autocannon on core 1 with ${connections} connections
spread evenly over the replicas, ${seconds} s after a warm-up; PostgreSQL and Redis are not pinned.
Server CPU per decision counts every thread of every replica (not PostgreSQL's or Redis's).
Load average at the end: ${loadavg()[0]!.toFixed(1)}.

| setup | decisions/s | p50 | p99 | replica CPU per decision | audit records per commit | audit commit |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

What bounds each: SQLite is bound by the one replica's CPU (JSON, policies, Fastify) and the
audit fsync it groups; on PostgreSQL + Redis each decision costs network round trips (user state,
the group-committed decision rows, the audit append that locks the chain's head row) and CPU in
PostgreSQL, which shares this machine's two cores with the replicas and the load generator — so
a second replica on the same core adds little here. On separate machines replicas scale until the
audit head row (one lock per batch, batches grow with load) or PostgreSQL's commit rate bounds them.
`;
console.log(markdown);
writeBenchSection('decision-service-replicas', markdown);
