// Backtest throughput (issue 17): 1,000,000 replayable decisions with realistic inputs are written
// into a fresh audit.db (the service's own record and replay builders, hash chain included), with
// feedback labels and challenge events, then `runBacktest` replays them through the demo
// policies and a candidate. Reports decisions/s and the process's memory at 250k and 1M decisions
// (the stream keeps memory flat). Writes its own section of docs/benchmarks.md.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compilePolicy, parsePolicyDocument } from '@stepgate/policy-engine';
import Database from 'better-sqlite3';
// @ts-expect-error: a plain .mjs tool without types
import { writeBenchSection } from '../../../tools/bench-report.mjs';
import type { AuditInput } from '../src/audit/audit-event.js';
import { AuditReader } from '../src/audit/audit-reader.js';
import { auditEventText, GENESIS_HASH, hashedText, replayText } from '../src/audit/audit-record.js';
import { migrateAuditDb } from '../src/audit/audit-schema.js';
import { sqliteBacktestSource } from '../src/audit/sqlite-analytics.js';
import { runBacktest } from '../src/tuning/backtest.js';
import { replayInput } from '../src/tuning/replay-input.js';

/** The workspace root (this file runs from a bundle under node_modules). */
function workspaceRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('no pnpm-workspace.yaml above the bench');
    dir = up;
  }
  return dir;
}
const DEMO_POLICIES = join(workspaceRoot(), 'demo/policies.yaml');
const TOTAL = Number(process.env.BENCH_BACKTEST_DECISIONS ?? 1_000_000);
const current = compilePolicy(parsePolicyDocument(readFileSync(DEMO_POLICIES, 'utf8')));
const candidate = compilePolicy(
  parsePolicyDocument(
    readFileSync(DEMO_POLICIES, 'utf8')
      .replace('transaction.amount: { gt: 500 }', 'transaction.amount: { gt: 300 }')
      .replace('\n    mode: report-only', ''),
  ),
);

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(file: string): { seconds: number; bytes: number } {
  const started = performance.now();
  const db = new Database(file);
  migrateAuditDb(db);
  db.pragma('synchronous = OFF');
  const insert = db.prepare(
    'INSERT INTO audit_log (seq, time, type, user_id, action, decision, policy_version, policies, event, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertReplay = db.prepare('INSERT INTO audit_replay (seq, time, input) VALUES (?, ?, ?)');
  const rand = prng(17);
  const t0 = Date.UTC(2030, 0, 1);
  let seq = 0;
  let prev = GENESIS_HASH;
  const append = (input: AuditInput, at: number, replay?: { text: string; digest: string }) => {
    seq += 1;
    const { text, columns: cols } = auditEventText(input, at, replay?.digest);
    const hash = createHash('sha256')
      .update(hashedText(seq, prev, text))
      .digest('hex');
    insert.run(
      seq,
      cols.time,
      cols.type,
      cols.userId,
      cols.action,
      cols.decision,
      cols.policyVersion,
      cols.policies,
      text,
      prev,
      hash,
    );
    if (replay) insertReplay.run(seq, at, replay.text);
    prev = hash;
  };
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const at = t0 + i * 50;
      const user = `user-${Math.floor(rand() * 50_000)}`;
      const amount = Math.round(rand() < 0.7 ? rand() * 800 : rand() * 20_000);
      const ip =
        rand() < 0.01 ? '203.0.113.5' : `198.51.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}`;
      const request = {
        subject: { id: user, sessionId: `s-${user}`, acr: 'aal1', authTime: Math.floor(at / 1000) - 600 },
        action: { name: rand() < 0.9 ? 'payments.transfer' : 'profile.view' },
        transaction: { amount, currency: 'EUR', payee: 'ACME' },
        context: {
          ip,
          geo: { country: 'FR', lat: 48.85, lon: 2.35 },
          device: {
            v: 1 as const,
            deviceId: `d-${user}`,
            fingerprint: 'f',
            signals: { tz: 'Europe/Paris', lang: 'fr' },
          },
        },
      };
      const history = {
        enrolledMethods: [
          { method: 'email_otp' as const, maxLevel: 'aal1' as const },
          ...(rand() < 0.6 ? [{ method: 'totp' as const, maxLevel: 'aal2' as const }] : []),
        ],
        device: { rememberedToken: rand() < 0.5, fingerprintSeen: true, accountsOnDevice: 1 },
        last: {
          at: Math.floor(at / 1000) - 3600,
          ip: '198.51.100.1',
          geo: { country: 'FR', lat: 48.85, lon: 2.35 },
        },
        recentFailures: 0,
        actionCounts: { 'payments.transfer': Math.floor(rand() * 5) },
      };
      const evaluation = { request, now: Math.floor(at / 1000), history };
      const verdict = current.evaluate(evaluation);
      const decisionId = `dec_${i.toString(36).padStart(8, '0')}`;
      const replay = replayText(replayInput(evaluation, current, {}));
      append(
        {
          type: 'decision',
          decisionId,
          who: { userId: user, sessionId: `s-${user}`, apiKeyId: 'key_bench', audience: 'default' },
          what: { action: request.action.name },
          where: { ip, country: 'FR', deviceId: `d-${user}`, deviceKnown: false },
          decision: verdict.decision,
          reasons: verdict.reasons,
          risk: verdict.risk,
          reportOnly: verdict.reportOnly,
          policyVersion: verdict.policyVersion,
        },
        at,
        replay,
      );
      if (verdict.decision === 'step_up') {
        const challengeId = `chl_${i}`;
        append({ type: 'challenge.created', who: { userId: user }, challengeId, decisionId }, at + 1);
        if (rand() < 0.85) {
          const method = rand() < 0.5 ? 'email_otp' : 'totp';
          append({ type: 'challenge.started', who: { userId: user }, what: { method }, challengeId }, at + 2);
          if (rand() < 0.9)
            append(
              { type: 'challenge.verified', who: { userId: user }, what: { method }, challengeId },
              at + 2 + Math.round(5_000 + rand() * 40_000),
            );
        }
      }
      if (rand() < 0.01)
        append(
          {
            type: 'decision.feedback',
            who: { apiKeyId: 'key_bench' },
            decisionId,
            outcome: amount > 8000 ? 'fraud' : 'legit',
          },
          at + 3,
        );
    }
  });
  for (let i = 0; i < TOTAL; i += 10_000) batch(i, Math.min(TOTAL, i + 10_000));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { seconds: (performance.now() - started) / 1000, bytes: statSync(file).size };
}

const dir = mkdtempSync(join(tmpdir(), 'stepgate-backtest-bench-'));
const file = join(dir, 'audit.db');
const gen = generate(file);
console.log(
  `generated ${TOTAL} decisions in ${gen.seconds.toFixed(1)} s (${(gen.bytes / 1e6).toFixed(0)} MB)`,
);

const t0 = Date.UTC(2030, 0, 1);
const rows: string[] = [];
let report: Awaited<ReturnType<typeof runBacktest>> | undefined;
for (const n of [TOTAL / 4, TOTAL]) {
  const reader = AuditReader.openFile(file);
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const started = performance.now();
  report = await runBacktest({
    reader: sqliteBacktestSource(reader),
    current,
    candidate,
    since: t0,
    until: t0 + n * 50,
    onProgress: () => {
      peak = Math.max(peak, process.memoryUsage().rss);
    },
    progressEvery: 10_000,
  });
  const seconds = (performance.now() - started) / 1000;
  reader.close();
  rows.push(
    `| ${report.decisions.toLocaleString('en-US')} | ${seconds.toFixed(1)} s | ${Math.round(report.decisions / seconds).toLocaleString('en-US')} | ${((peak - rssBefore) / 1e6).toFixed(0)} MB |`,
  );
  console.log(rows.at(-1));
}
const r = report!;
const markdown = `### Backtests

\`runBacktest\` (what \`stepgate backtest\` and \`POST /v1/backtests\` run) over a generated
\`audit.db\`: ${TOTAL.toLocaleString('en-US')} replayable decisions (50,000 users, 90% transfers, amounts up to 20,000,
1% from a datacenter IP), each with its replay input, plus their challenge events and 1% feedback
labels, ${(gen.bytes / 1e6).toFixed(0)} MB. Policies in force: demo/policies.yaml; candidate: fresh check above 300
instead of 500 and the report-only datacenter rule enforced. Both are evaluated for every decision
(compiled engine), the replay input's SHA-256 is checked against the record, and the challenge
events are read for friction. One process on one core (\`taskset -c 1\`); load average at the end: ${loadavg()[0]!.toFixed(1)}.

| decisions in the window | time | decisions/s | RSS growth during the run |
| --- | --- | --- | --- |
${rows.join('\n')}

The RSS growth does not follow the window: the log is streamed (SQLite iterator); only feedback
labels, open challenges and five example ids per transition are kept. The 1M-decision report:
${r.transitions.map((t) => `${t.from}→${t.to} ${t.count.toLocaleString('en-US')}`).join(', ')}; ${r.friction.now.challengesPer1000.toFixed(0)} → ${r.friction.candidate.challengesPer1000.toFixed(0)} challenges per 1,000 decisions.
`;
writeBenchSection('backtest', markdown);
console.log(markdown);
rmSync(dir, { recursive: true, force: true }); // a million decisions take gigabytes
