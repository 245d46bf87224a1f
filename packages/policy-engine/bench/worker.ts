/** One benchmark worker process: an engine (or Stepgate + floor) on one rule set. */
import { compilePolicy, type Verdict } from '../src/index.js';
import { type BenchContext, makeContexts } from './contexts.js';
import { floor12, floor50 } from './floor.js';
import { casbinPeer, cedarPeer, jrePeer } from './peers.js';
import { RULE_SETS, toStepgate } from './rules.js';

/** Timing of one engine. */
export interface Timing {
  name: string;
  n: number;
  p50: number;
  p99: number;
  perDecision: Record<string, { p50: number; p99: number; n: number }>;
  meanNs: number;
  mismatches: number;
}

const SEED = 20260101;
const quantile = (xs: Float64Array, q: number): number =>
  xs.length === 0
    ? Number.NaN
    : (Float64Array.from(xs).sort()[Math.min(xs.length - 1, Math.floor(q * xs.length))] as number);

function timerOverheadNs(): number {
  const xs = new Float64Array(100_000);
  for (let i = 0; i < xs.length; i++) {
    const t0 = performance.now();
    xs[i] = performance.now() - t0;
  }
  return quantile(xs, 0.5) * 1e6;
}

type Fn = (c: BenchContext) => unknown;

async function latencies(
  ctx: BenchContext[],
  fn: Fn,
  isAsync: boolean,
  overhead: number,
): Promise<Float64Array> {
  const lat = new Float64Array(ctx.length);
  for (let i = 0; i < ctx.length; i++) {
    const c = ctx[i] as BenchContext;
    const t0 = performance.now();
    if (isAsync) await fn(c);
    else fn(c);
    lat[i] = Math.max(0, (performance.now() - t0) * 1e6 - overhead);
  }
  return lat;
}

async function loopNs(ctx: BenchContext[], fn: Fn, isAsync: boolean): Promise<number> {
  const t0 = performance.now();
  if (isAsync) for (const c of ctx) await fn(c);
  else for (const c of ctx) fn(c);
  return ((performance.now() - t0) * 1e6) / ctx.length;
}

function summarise(
  name: string,
  lat: Float64Array,
  outcomes: string[],
  meanNs: number,
  mismatches = 0,
): Timing {
  const perDecision: Timing['perDecision'] = {};
  for (const d of ['allow', 'step_up', 'deny']) {
    const xs = Float64Array.from(lat.filter((_, i) => (outcomes[i] ?? '').split(':')[0] === d));
    perDecision[d] = { p50: quantile(xs, 0.5), p99: quantile(xs, 0.99), n: xs.length };
  }
  return {
    name,
    n: lat.length,
    p50: quantile(lat, 0.5),
    p99: quantile(lat, 0.99),
    perDecision,
    meanNs,
    mismatches,
  };
}

const code = (v: Verdict): string =>
  v.decision === 'step_up' ? `step_up:${v.requirement?.level}` : v.decision;

/** Runs one worker; returns its outcomes (for the agreement check) and timings. */
export async function worker(
  engine: string,
  set: '12' | '50',
  n: number,
): Promise<{ outcomes: string[]; timings: Timing[] }> {
  const rules = RULE_SETS[set];
  const ctx = makeContexts(n, SEED);
  const overhead = timerOverheadNs();
  if (engine === 'stepgate+floor') {
    const policy = compilePolicy(toStepgate(rules));
    const floor = set === '12' ? floor12 : floor50;
    const outcomes = ctx.map((c) => code(policy.evaluate(c.input)));
    const mismatches = ctx.filter((c, i) => floor(c.input) !== outcomes[i]).length;
    const sg: Fn = (c) => policy.evaluate(c.input);
    const fl: Fn = (c) => floor(c.input);
    let best = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
    for (let round = 0; round < 4; round++) {
      best = [
        Math.min(best[0] as number, await loopNs(ctx, sg, false)),
        Math.min(best[1] as number, await loopNs(ctx, fl, false)),
      ];
    }
    const sgLat = await latencies(ctx, sg, false, overhead);
    const flLat = await latencies(ctx, fl, false, overhead);
    return {
      outcomes,
      timings: [
        summarise('Stepgate `evaluate()`', sgLat, outcomes, best[0] as number),
        summarise('hand-written JS (floor)', flLat, outcomes, best[1] as number, mismatches),
      ],
    };
  }
  const isAsync = engine === 'jre';
  const peer =
    engine === 'jre' ? jrePeer(rules) : engine === 'casbin' ? await casbinPeer(rules) : cedarPeer(rules);
  const fn = (c: BenchContext) => peer(c.facts);
  const outcomes: string[] = [];
  for (const c of ctx) outcomes.push(await fn(c));
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 2; round++) best = Math.min(best, await loopNs(ctx, fn, isAsync));
  const lat = await latencies(ctx, fn, isAsync, overhead);
  const names: Record<string, string> = {
    jre: 'json-rules-engine 7.3.1',
    casbin: 'casbin 5.51.1',
    cedar: 'cedar-wasm 4.13.0',
  };
  return { outcomes, timings: [summarise(names[engine] ?? engine, lat, outcomes, best)] };
}
