/**
 * The side-by-side comparison behind `bench:ab` (bench/ab.mjs builds both services): the service
 * as built from a git ref ("before") and from this checkout ("after") run at once, both pinned to
 * core 0 as in bench/bench.ts, and this process (on core 1) loads them in turn, in rounds whose
 * order alternates. A drift of the machine's speed that lasts longer than a round hits both
 * halves of a pair alike, so the ratio of each pair is what to read, not the absolute figures.
 *
 * Environment: AB_ROUNDS (10), AB_SECONDS per half-round (5), AB_CONNECTIONS (64), AB_KEYED=1 to
 * send an `Idempotency-Key` with each request (as node-client guards do).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { cpuMs, decisionBodies, runLoad } from './load.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.AB_ROUNDS ?? 10);
const SECONDS = Number(process.env.AB_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.AB_CONNECTIONS ?? 64);
const KEYED = process.env.AB_KEYED === '1';
const ref = process.argv[2] ?? 'the ref';

interface Side {
  name: 'before' | 'after';
  child: ChildProcess;
  url: string;
  apiKey: string;
  cpuUs: number[];
  rps: number[];
  p99: number[];
}

async function start(name: Side['name']): Promise<Side> {
  const child = spawn('taskset', ['-c', '0', process.execPath, join(here, name, 'server.mjs'), 'service'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const first = await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next();
  if (first.done) throw new Error(`the ${name} service exited before it listened`);
  const { url, apiKey } = JSON.parse(first.value) as { url: string; apiKey: string };
  return { name, child, url, apiKey, cpuUs: [], rps: [], p99: [] };
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const bodies = decisionBodies();
const sides = [await start('before'), await start('after')] as const;
try {
  for (const side of sides) await runLoad(side.url, side.apiKey, CONNECTIONS, 3, bodies, { keyed: KEYED });
  const ratios: number[] = [];
  console.log(`| round | before: CPU per decision | after | after ÷ before |\n| --- | --- | --- | --- |`);
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of round % 2 === 0 ? sides : [sides[1], sides[0]]) {
      const before = cpuMs(side.child.pid!);
      const result = await runLoad(side.url, side.apiKey, CONNECTIONS, SECONDS, bodies, { keyed: KEYED });
      side.cpuUs.push(((cpuMs(side.child.pid!) - before) * 1000) / result.requests.total);
      side.rps.push(result.requests.average);
      side.p99.push(result.latency.p99);
    }
    const [b, a] = [sides[0].cpuUs[round]!, sides[1].cpuUs[round]!];
    ratios.push(a / b);
    console.log(`| ${round + 1} | ${b.toFixed(0)} µs | ${a.toFixed(0)} µs | ${(a / b).toFixed(3)} |`);
  }
  console.log(
    `\n${ROUNDS} rounds of ${SECONDS} s per side, ${CONNECTIONS} connections${KEYED ? ', keyed' : ''}; before = ${ref}, after = this checkout (medians):\n`,
  );
  console.log('| | CPU per decision | req/s | p99 |\n| --- | --- | --- | --- |');
  for (const side of sides) {
    console.log(
      `| ${side.name} | ${median(side.cpuUs).toFixed(0)} µs | ${median(side.rps).toFixed(0)} | ${median(side.p99)} ms |`,
    );
  }
  console.log(
    `\nafter ÷ before, CPU per decision, per round: median ${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}). ` +
      'To see what identical code gives on this machine, compare the checkout with itself (`bench:ab HEAD` with nothing changed).',
  );
} finally {
  for (const side of sides) side.child.stdin!.end();
}
