// Where a decision's CPU goes: the service under the bench's load (64 connections) with V8's CPU
// profiler on its main thread, each sample charged to a stage of the decision path through the
// bundle's source map, plus the CPU of every other thread (the audit writer, V8's GC helpers).
// Writes the table to docs/benchmarks.md and a flame graph to docs/images/decision-flame.svg.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: a plain .mjs tool without types
import { writeBenchSection } from '../../../tools/bench-report.mjs';
import { decisionBodies, runLoad } from './load.js';

const here = dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 64;

/** A V8 CPU profile (`Profiler.stop`). */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

/** Stages of a decision, each with how to recognise its frames (original source path or frame). */
const STAGES: readonly { name: string; test: (source: string, fn: string) => boolean }[] = [
  { name: 'garbage collection', test: (_, fn) => fn === '(garbage collector)' },
  { name: 'policy evaluation (policy-engine)', test: (s) => s.includes('/policy-engine/src/') },
  { name: 'audit record: build, hash, hand to the writer', test: (s) => s.includes('/src/audit/') },
  {
    name: 'store reads and writes (better-sqlite3)',
    test: (s) => s.includes('/src/stores/') || s.includes('better-sqlite3'),
  },
  { name: 'tokens and keys', test: (s) => s.includes('/src/tokens/') || s.includes('/src/secrets/') },
  {
    name: 'body and header validation (ajv)',
    test: (s, fn) => s.includes('/ajv/') || /^validate\d*$/.test(fn),
  },
  { name: 'body JSON parse (secure-json-parse)', test: (s) => s.includes('secure-json-parse') },
  { name: 'metrics (prom-client)', test: (s) => s.includes('prom-client') },
  { name: 'logging (pino)', test: (s) => s.includes('/pino') },
  { name: 'API key check', test: (s) => s.endsWith('/src/http/auth.ts') },
  {
    name: 'decision: signals, history, answer (decide.ts, routes)',
    test: (s) =>
      s.includes('/src/decisions/') || s.includes('/src/http/routes/') || s.includes('/src/state/'),
  },
  { name: 'fast path: read body, write answer', test: (s) => s.includes('/src/http/') },
  { name: 'protocol helpers', test: (s) => s.includes('/protocol/src/') },
  { name: 'audit hand-off to the writer thread (postMessage)', test: (s) => s === 'node:internal/worker' },
  { name: 'node:http, streams and sockets', test: (s) => s.startsWith('node:') },
  { name: 'V8 and native (program)', test: (_, fn) => fn === '(program)' },
];
const OTHER = 'other';

/** Original source of a frame: the workspace file the bundle's source map names, else its URL. */
function sourceResolver(bundle: string): (frame: CpuProfile['nodes'][number]['callFrame']) => string {
  const map = new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')));
  const cache = new Map<string, string>();
  return (frame) => {
    if (!frame.url.endsWith('/server.mjs')) return frame.url;
    const key = `${frame.lineNumber}:${frame.columnNumber}`;
    let source = cache.get(key);
    if (source === undefined) {
      const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string };
      // Sources in the map are relative to the bundle's folder.
      const original = entry.originalSource;
      source =
        original === undefined
          ? frame.url
          : original.startsWith('file:')
            ? fileURLToPath(original)
            : join(dirname(bundle), original);
      cache.set(key, source);
    }
    return source;
  };
}

/** A source path without the machine's folders: `decision-service/src/…`, `ajv/dist/…`, `node:net`. */
function shortSource(source: string): string {
  return source
    .replace(/^.*\/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, '')
    .replace(/^.*\/packages\//, '')
    .replace(/^file:\/\/.*\//, '');
}

/** The profile's nodes by id, and each node's parent. */
type ProfileTree = { byId: Map<number, CpuProfile['nodes'][number]>; parent: Map<number, number> };

function profileTree(profile: CpuProfile): ProfileTree {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  return { byId, parent };
}

/** Audit records per writer batch so far, from the service's /metrics. */
async function auditBatches(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return metric('stepgate_audit_batch_size_sum') / metric('stepgate_audit_batch_size_count');
}

/** The workspace root (this file runs from a bundle under node_modules). */
function repoRoot(): string {
  let dir = here;
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) dir = dirname(dir);
  return dir;
}

/** CPU ms of each thread of a process, by thread name (`/proc/<pid>/task/<tid>/stat`). */
function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    const ms = (Number(fields[11]) + Number(fields[12])) * 10;
    const key = tid === String(pid) ? 'main' : name;
    out.set(key, (out.get(key) ?? 0) + ms);
  }
  return out;
}

async function main() {
  const server = join(here, 'server.mjs');
  const child: ChildProcess = spawn('taskset', ['-c', '0', process.execPath, server, 'service', 'profile'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => (await lines.next()).value as string;
  const { url, apiKey } = JSON.parse(await next()) as { url: string; apiKey: string };
  const bodies = decisionBodies();
  await runLoad(url, apiKey, 16, 3, bodies); // warm-up: JIT, caches, the writer thread
  child.stdin!.write('start\n');
  await next();
  const before = threadCpu(child.pid!);
  const result = await runLoad(url, apiKey, CONNECTIONS, seconds, bodies);
  const after = threadCpu(child.pid!);
  const batches = await auditBatches(url);
  child.stdin!.write('stop\n');
  const profile = JSON.parse(await next()) as CpuProfile;
  child.stdin!.end();
  await once(child, 'exit');
  const requests = result.requests.total;
  // The raw profile, for Chrome DevTools or speedscope (not committed: it is large).
  const raw = join(here, 'decision.cpuprofile');
  writeFileSync(raw, JSON.stringify(profile));
  console.error(`CPU profile written to ${raw}`);

  const resolve = sourceResolver(server);
  const tree = profileTree(profile);
  // Charge each sample to the innermost frame of its stack that belongs to a stage.
  const stageOfNode = new Map<number, string>();
  const stageOf = (id: number): string => {
    const known = stageOfNode.get(id);
    if (known !== undefined) return known;
    const frame = tree.byId.get(id)!.callFrame;
    const own = STAGES.find((s) => s.test(resolve(frame), frame.functionName))?.name;
    const up = tree.parent.get(id);
    const stage = own ?? (up === undefined ? OTHER : stageOf(up));
    stageOfNode.set(id, stage);
    return stage;
  };
  // Per stage, and self time per function (the hottest frames, with the stage they count toward).
  const micros = new Map<string, number>();
  const self = new Map<string, { us: number; stage: string }>();
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const frame = tree.byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    const stage = stageOf(id);
    micros.set(stage, (micros.get(stage) ?? 0) + dt);
    const where = shortSource(resolve(frame));
    const key = `\`${frame.functionName || '(anonymous)'}\`${where ? ` ${where}` : ''}`;
    const entry = self.get(key) ?? { us: 0, stage };
    entry.us += dt;
    self.set(key, entry);
  }
  const busy = [...micros.values()].reduce((a, b) => a + b, 0);
  const threadMs = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
  const mainMs = threadMs('main');
  const hottest = [...self.entries()]
    .sort((a, b) => b[1].us - a[1].us)
    .slice(0, 15)
    .map(
      ([fn, { us, stage }]) =>
        `| ${fn} | ${stage} | ${((1000 * mainMs * us) / busy / requests).toFixed(1)} µs |`,
    )
    .join('\n');
  const threads = [...after.keys()].filter((k) => k !== 'main');
  const threadRows = threads
    .map((name) => ({ name, ms: threadMs(name) }))
    // The profiler's own thread is the measurement, not the service.
    .filter((t) => t.ms > 0 && t.name !== 'v8:ProfEvntProc')
    .sort((a, b) => b.ms - a.ms);
  const totalMs = mainMs + threadRows.reduce((a, t) => a + t.ms, 0);
  const profilerMs = threadMs('v8:ProfEvntProc');
  const perRequest = (ms: number) => ((1000 * ms) / requests).toFixed(1);
  // Scale the sampled shares to the main thread's measured CPU.
  const stageRows = [...micros.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([stage, us]) => {
      const share = us / busy;
      return `| ${stage} | ${((1000 * mainMs * share) / requests).toFixed(1)} µs | ${(100 * share).toFixed(1)}% |`;
    })
    .join('\n');
  writeFlameGraph(profile, tree, resolve, stageOf, join(repoRoot(), 'docs', 'images', 'decision-flame.svg'));

  const markdown = `### Decision service: where a decision's CPU goes

\`POST /v1/decisions\` as in the table above (SQLite, durable audit, 6 policies, 50 users) at
${CONNECTIONS} connections for ${seconds} s: ${requests} decisions, ${Math.round(result.requests.average)} req/s, server pinned to one core. V8's
CPU profiler samples the main thread every 100 µs after a warm-up (\`bench/profile.ts\`); each
sample is charged to the innermost frame of its stack that belongs to a stage, found through the
bundle's source map, and the shares are scaled to the main thread's measured CPU. The other
threads' CPU comes from \`/proc\`. Load average at the end: ${loadavg()[0]!.toFixed(1)}.

**${perRequest(totalMs)} µs of CPU per decision**: main thread ${perRequest(mainMs)} µs, other threads ${perRequest(totalMs - mainMs)} µs
(the profiler's own thread, ${perRequest(profilerMs)} µs, not counted; sampling also slows the main thread a little).

| main thread, by stage | CPU per decision | share |
| --- | --- | --- |
${stageRows}

| hottest functions, self time | stage | CPU per decision |
| --- | --- | --- |
${hottest}

| other threads | CPU per decision |
| --- | --- |
${threadRows.map((t) => `| ${t.name} | ${perRequest(t.ms)} µs |`).join('\n')}

Audit records per writer batch (group commit): ${batches.toFixed(1)} on average since start. Main thread idle during the run: ${((100 * idle) / (idle + busy)).toFixed(0)}% of the samples. Flame graph of the
same profile (hover a frame for its name, source and share): [images/decision-flame.svg](images/decision-flame.svg).

The server's threads share one core, so a sample that falls while the audit writer thread holds
the core lands on the main thread's current frame, often \`postMessage\`: that row is an upper
bound. Since the first profile (issue 18): the replay input and the event are written straight as
their RFC 8785 text, in one pass without a scrubbed copy (\`auditEventText\`); decision rows no
longer keep the answer's JSON (nothing read it: the audit record has it); OpenTelemetry stage spans
are skipped when the decision's span is not recorded; action counts are summed without SQLite's
temporary b-tree. Six alternating runs of this profile before (b3326b6) and after these changes
(2026-12-06, quiet machine): main thread 245–346 µs per decision before (median 308), 217–286 µs
after (median 230); other threads 56–77 µs before, 58–74 µs after. This machine's absolute speed
drifts by up to 30% between runs of the same code, so compare shares, or runs made side by side.

**By removal** (2026-12-07; a temporary patch that is not in the code skipped one part at a time;
64 connections, each variant in its own process, alternating rounds, CPU per decision of every
thread from \`/proc\`; the sampled shares above agree). In one run: the service as it is 247–304 µs
per decision; the whole audit append skipped, 161–182 µs; the record built but not handed to the
writer thread, 178–192 µs; the decision's state writes skipped, 223–254 µs. Per thread, in
another: the writer thread 41–61 µs, 5–15 µs less with the audit log's indexes dropped. No single
part comes near the 110 µs the ≤ 90 µs goal would have to take away. **One at a time** (what a
guard waits for: the next decision is sent when the last is answered; service alone on one core),
in one run in the machine's slow state: 1.04–1.35 ms p50; without the audit append 0.42–0.55 ms;
with the audit writer not fsyncing (\`synchronous = OFF\`) 0.61–0.79 ms. The durable audit is
about half of a sequential decision's latency and its fsync about a third; an fsynced SQLite commit
takes 176–188 µs p50 on this machine's disk, 13–15 µs without the fsync. In the fast state, with an
\`Idempotency-Key\` (every guarded request) a sequential decision took 0.84–0.91 ms against
0.76–0.83 ms without: the key's claim and its stored answer are two more commits.
`;
  console.log(markdown);
  writeBenchSection('decision-service-profile', markdown);
}

/** A static SVG flame graph: one box per distinct stack prefix, width by samples, colour by stage. */
function writeFlameGraph(
  profile: CpuProfile,
  { byId, parent }: ProfileTree,
  resolve: (frame: CpuProfile['nodes'][number]['callFrame']) => string,
  stageOf: (id: number) => string,
  file: string,
): void {
  type Box = { label: string; title: string; stage: string; value: number; children: Map<string, Box> };
  const root: Box = {
    label: 'all',
    title: 'all samples but idle',
    stage: OTHER,
    value: 0,
    children: new Map(),
  };
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const stack: number[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.unshift(at);
    let box = root;
    box.value += dt;
    for (const frameId of stack.slice(1)) {
      const frame = byId.get(frameId)!.callFrame;
      const source = shortSource(resolve(frame));
      const label = frame.functionName || '(anonymous)';
      const key = `${label}@${source}`;
      let child = box.children.get(key);
      if (!child) {
        child = {
          label,
          title: `${label} ${source}`,
          stage: stageOf(frameId),
          value: 0,
          children: new Map(),
        };
        box.children.set(key, child);
      }
      child.value += dt;
      box = child;
    }
  }
  const width = 1200;
  const rowHeight = 16;
  const colors = new Map(STAGES.map((s, i) => [s.name, `hsl(${(i * 360) / STAGES.length}, 60%, 70%)`]));
  const rects: string[] = [];
  let depthMax = 0;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const draw = (box: Box, x: number, depth: number) => {
    const w = (box.value / root.value) * width;
    if (w < 1) return;
    depthMax = Math.max(depthMax, depth);
    const y = depth * rowHeight;
    const pct = ((100 * box.value) / root.value).toFixed(1);
    const fits = Math.floor((w - 4) / 6.5);
    const text =
      fits >= 3 ? esc(box.label.length > fits ? `${box.label.slice(0, fits - 1)}…` : box.label) : '';
    rects.push(
      `<g><title>${esc(box.title)} — ${pct}% (${esc(box.stage)})</title><rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${rowHeight - 1}" fill="${colors.get(box.stage) ?? '#ddd'}"/>${text ? `<text x="${(x + 2).toFixed(1)}" y="${y + 12}">${text}</text>` : ''}</g>`,
    );
    let cx = x;
    for (const child of [...box.children.values()].sort((a, b) => b.value - a.value)) {
      draw(child, cx, depth + 1);
      cx += (child.value / root.value) * width;
    }
  };
  draw(root, 0, 0);
  const height = (depthMax + 1) * rowHeight;
  writeFileSync(
    file,
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="flame-title" width="${width}" height="${height}" font-family="monospace" font-size="11">\n<title id="flame-title">Flame graph of POST /v1/decisions on the decision service's main thread</title>\n<!-- POST /v1/decisions, main thread, written by packages/decision-service/bench/profile.ts -->\n${rects.join('\n')}\n</svg>\n`,
  );
}

await main();
