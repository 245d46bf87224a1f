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
  /** Batched: p50 over batches of (batch time ÷ batch size), ns per call (see `batched`). */
  batchP50: number;
  /** Spread of the per-round batch p50s: [min, max]. */
  batchRange: [number, number];
  mismatches: number;
  /**
   * p50 over batches of the ratio of two times on the same batch: Stepgate ÷ floor (on Stepgate's
   * timing), peer ÷ Stepgate (on a peer's).
   */
  pairedRatio?: number;
}

const SEED = 20260101;
/** Calls per timer read for Stepgate and the floor, and rounds over all contexts. */
const SG_BATCH = 128;
const SG_ROUNDS = 5;
/** Calls per timer read for the peers (each call takes microseconds). */
const PEER_BATCH = 8;
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

/**
 * Batched timing, robust on a shared machine where one `performance.now()` pair per call is
 * erratic: `fns` run over the same batch of `size` consecutive contexts, one timer read per batch,
 * in an order that rotates from batch to batch (so neither engine always runs first). Each of the
 * `warm` functions first runs over the batch untimed just before its timed pass, so that pass finds
 * the contexts and its own code and data in cache (as a service finds a request it has just parsed),
 * whatever ran before. `isAsync[j]`: `fns[j]` is awaited. Returns, per function, the per-call time
 * of every batch of every round (ns) and each round's p50.
 */
async function batched(
  ctx: BenchContext[],
  fns: Fn[],
  isAsync: boolean[],
  size: number,
  rounds: number,
  warm: boolean[],
): Promise<{ all: Float64Array[]; roundP50: number[][] }> {
  const perRound = Math.floor(ctx.length / size);
  const all = fns.map(() => new Float64Array(perRound * rounds));
  const roundP50: number[][] = fns.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let b = 0; b < perRound; b++) {
      const from = b * size;
      const to = from + size;
      for (let j = 0; j < fns.length; j++) {
        const which = (j + b + round) % fns.length;
        const fn = fns[which] as Fn;
        if (warm[which]) for (let i = from; i < to; i++) fn(ctx[i] as BenchContext);
        const t0 = performance.now();
        if (isAsync[which]) for (let i = from; i < to; i++) await fn(ctx[i] as BenchContext);
        else for (let i = from; i < to; i++) fn(ctx[i] as BenchContext);
        (all[which] as Float64Array)[round * perRound + b] = ((performance.now() - t0) * 1e6) / size;
      }
    }
    fns.forEach((_, j) => {
      roundP50[j]?.push(
        quantile((all[j] as Float64Array).subarray(round * perRound, (round + 1) * perRound), 0.5),
      );
    });
  }
  return { all, roundP50 };
}

function summarise(
  name: string,
  lat: Float64Array,
  outcomes: string[],
  meanNs: number,
  batch: { all: Float64Array; roundP50: number[] },
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
    batchP50: quantile(batch.all, 0.5),
    batchRange: [Math.min(...batch.roundP50), Math.max(...batch.roundP50)],
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
    const b = await batched(ctx, [sg, fl], [false, false], SG_BATCH, SG_ROUNDS, [true, true]);
    const sgLat = await latencies(ctx, sg, false, overhead);
    const flLat = await latencies(ctx, fl, false, overhead);
    const part = (j: number) => ({ all: b.all[j] as Float64Array, roundP50: b.roundP50[j] as number[] });
    const [sgB, flB] = b.all as [Float64Array, Float64Array];
    const pairedRatio = quantile(
      sgB.map((x, i) => x / (flB[i] as number)),
      0.5,
    );
    return {
      outcomes,
      timings: [
        { ...summarise('Stepgate `evaluate()`', sgLat, outcomes, best[0] as number, part(0)), pairedRatio },
        summarise('hand-written JS (floor)', flLat, outcomes, best[1] as number, part(1), mismatches),
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
  // Stepgate runs in this process too, over the same batches, so that the peer ÷ Stepgate ratio is
  // paired like Stepgate ÷ floor (its own figures come from the Stepgate + floor process).
  const policy = compilePolicy(toStepgate(rules));
  const sg: Fn = (c) => policy.evaluate(c.input);
  for (let round = 0; round < 20; round++) await loopNs(ctx, sg, false);
  const b = await batched(ctx, [fn, sg], [isAsync, false], PEER_BATCH, 2, [false, true]);
  const [peerB, sgB] = b.all as [Float64Array, Float64Array];
  const pairedRatio = quantile(
    peerB.map((x, i) => x / (sgB[i] as number)),
    0.5,
  );
  const lat = await latencies(ctx, fn, isAsync, overhead);
  const names: Record<string, string> = {
    jre: 'json-rules-engine 7.3.1',
    casbin: 'casbin 5.51.1',
    cedar: 'cedar-wasm 4.13.0',
  };
  const part = { all: b.all[0] as Float64Array, roundP50: b.roundP50[0] as number[] };
  return {
    outcomes,
    timings: [{ ...summarise(names[engine] ?? engine, lat, outcomes, best, part), pairedRatio }],
  };
}
