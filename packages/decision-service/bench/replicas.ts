// `pnpm bench` part 2: decisions per second and p99 of 1 and 2 replicas on PostgreSQL + Redis
// beside one on SQLite, in the same run, with server CPU per decision (every replica's threads).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: a plain .mjs tool without types
import { writeBenchSection } from '../../../tools/bench-report.mjs';
import { openPgRedisTestEnv } from '../src/stores/postgres/pg-redis-test-env.js';
import { cpuMs, decisionBodies, runLoad } from './load.js';

const here = dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_REPLICA_CONNECTIONS ?? 32);
const bodies = decisionBodies();

async function startReplica(args: string[]): Promise<{ child: ChildProcess; url: string; apiKey: string }> {
  const child = spawn('taskset', ['-c', '0', process.execPath, join(here, 'replica-server.mjs'), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, ...JSON.parse(line.toString().split('\n')[0]!) };
}

/** Load spread evenly over the replicas (one autocannon each); summed req/s, worst p99. */
async function load(urls: string[], apiKey: string, total: number) {
  const each = Math.max(1, Math.floor(total / urls.length));
  const results = await Promise.all(urls.map((url) => runLoad(url, apiKey, each, seconds, bodies)));
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
