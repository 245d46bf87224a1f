/**
 * Backtests (issue 17 §2, docs/operators.md): every replayable decision of a window goes through
 * the policies in force and through candidate policies (both compiled), and the report sums what
 * would change — outcomes, transitions, per policy, against feedback labels, and in friction.
 * It streams the audit log (memory does not grow with the window: only labels, open challenges
 * and a few example ids per transition are kept).
 */
import { createHash } from 'node:crypto';
import type { CompiledPolicy, Verdict } from '@stepgate/policy-engine';
import type { Decision } from '@stepgate/protocol';
import type { BacktestSource } from '../audit/audit-port.js';
import type { AuditEventBody } from '../audit/audit-record.js';
import { evaluationInput } from './replay-input.js';

/** How many example decision ids a transition keeps. */
export const EXAMPLES = 5;

const OUTCOMES = ['allow', 'step_up', 'deny'] as const;

/** Outcome totals of one side (policies in force, or the candidate). */
export interface SideTotals {
  /** The compiled document's version. */
  version: string;
  outcomes: Record<Decision, number>;
  /** step_up / replayable. */
  stepUpRate: number;
  /** deny / replayable. */
  denyRate: number;
}

/** A change of outcome between the policies in force and the candidate. */
export interface Transition {
  from: Decision;
  to: Decision;
  count: number;
  /** Up to {@link EXAMPLES} decision ids. */
  examples: string[];
}

/** One policy's figures on one side. */
export interface PolicySide {
  /** Decisions where the policy matched (report-only policies: where they would have). */
  matched: number;
  /** Of those, decisions whose outcome (a report-only policy: its would-be outcome) was step_up. */
  stepUp: number;
  deny: number;
  /** stepUp / replayable. */
  stepUpRate: number;
  /** deny / replayable. */
  denyRate: number;
  /** The policy runs in report-only mode on this side. */
  reportOnly: boolean;
  /** Decisions labelled `fraud` it matched with a step_up or deny outcome (caught). */
  fraudCaught: number;
  /** Decisions labelled `legit` it matched with a step_up or deny outcome (challenged). */
  legitChallenged: number;
}

/** One policy id of either side. */
export interface PolicyReport {
  policyId: string;
  /** Absent when the policy is not in that document. */
  now?: PolicySide;
  candidate?: PolicySide;
  /** `allow→step_up` → example ids, among decisions this policy matched on either side. */
  transitions: Record<string, string[]>;
}

/** The labelled decisions (feedback) and how each side treats them. */
export interface LabelReport {
  fraud: {
    labelled: number;
    replayable: number;
    /** step_up or deny. */
    stoppedNow: number;
    stoppedCandidate: number;
    /** Not stopped: the false-negative estimate. */
    missedNow: number;
    missedCandidate: number;
  };
  legit: {
    labelled: number;
    replayable: number;
    /** step_up or deny: the false-positive estimate. */
    challengedNow: number;
    challengedCandidate: number;
  };
}

/** Challenge figures of one method, measured from the challenge events of the window. */
export interface MethodFriction {
  started: number;
  verified: number;
  failed: number;
  expired: number;
  /** verified / started, or null without a start. */
  completionRate: number | null;
  /** Median seconds from `challenge.created` to `challenge.verified` (1 s resolution), or null. */
  medianSeconds: number | null;
}

/** Friction: challenges shown, and what the measured completion rate makes of the change. */
export interface FrictionReport {
  /** step_up decisions per 1,000 replayable decisions. */
  now: { challengesPer1000: number };
  candidate: { challengesPer1000: number };
  /** Challenges created and verified in the window (every method). */
  challenges: { created: number; verified: number; completionRate: number | null };
  methods: Record<string, MethodFriction>;
  /**
   * (candidate step-ups − current step-ups) × (1 − completion rate): the extra challenges that
   * would be abandoned (negative: fewer); null without a measured completion rate.
   */
  abandonedChange: number | null;
}

/** The report (`stepgate backtest --format json`, `POST /v1/backtests`). */
export interface BacktestReport {
  window: { since: string; until: string };
  /** Decisions in the window. */
  decisions: number;
  /** Of those, the ones with a replay input. */
  replayable: number;
  /** The others, never guessed: by reason (`no_input`, `digest_mismatch`, `unreadable`). */
  notReplayable: { count: number; reasons: Record<string, number> };
  now: SideTotals;
  candidate: SideTotals;
  /** Changes only, most frequent first. */
  transitions: Transition[];
  policies: PolicyReport[];
  labels: LabelReport;
  friction: FrictionReport;
}

/** Input of {@link runBacktest}. */
export interface BacktestOptions {
  /** The audit log, either store family (`sqliteBacktestSource(reader)` for an `audit.db`). */
  reader: BacktestSource;
  /** The policies in force. */
  current: CompiledPolicy;
  /** The candidate; the policies in force again for a report of what they do (the console's Policies page). */
  candidate: CompiledPolicy;
  /** Unix ms, inclusive. */
  since: number;
  /** Unix ms, exclusive. */
  until: number;
  /** Called every `progressEvery` decisions and at the end. */
  onProgress?: (done: number, total: number) => void;
  /** @defaultValue 10000 */
  progressEvery?: number;
  /** Give the event loop a turn every this many decisions (the service). @defaultValue never */
  yieldEvery?: number;
}

const rate = (n: number, d: number) => (d === 0 ? 0 : n / d);

interface PolicyTally {
  matched: number;
  stepUp: number;
  deny: number;
  reportOnly: boolean;
  fraudCaught: number;
  legitChallenged: number;
}

/** Policy ids that matched, with the outcome they stand for (report-only: their would-be outcome). */
function matchedPolicies(verdict: Verdict, known: ReadonlySet<string>): Array<[string, Decision, boolean]> {
  const out: Array<[string, Decision, boolean]> = [];
  const seen = new Set<string>();
  for (const r of verdict.reasons) {
    if (known.has(r.policyId) && !seen.has(r.policyId)) {
      seen.add(r.policyId);
      out.push([r.policyId, verdict.decision, false]);
    }
  }
  for (const r of verdict.reportOnly) {
    if (!seen.has(r.policyId)) {
      seen.add(r.policyId);
      out.push([r.policyId, r.decision, true]);
    }
  }
  return out;
}

/** A 1-second histogram up to an hour (plus overflow), for medians in constant memory. */
class SecondsHistogram {
  readonly #buckets = new Uint32Array(3602);
  #count = 0;
  add(seconds: number): void {
    const i = Math.min(3601, Math.max(0, Math.round(seconds)));
    this.#buckets[i]! += 1;
    this.#count += 1;
  }
  median(): number | null {
    if (this.#count === 0) return null;
    const half = (this.#count + 1) / 2;
    let seen = 0;
    for (let i = 0; i < this.#buckets.length; i++) {
      seen += this.#buckets[i]!;
      if (seen >= half) return i;
    }
    return null;
  }
}

const LABEL_TYPES = ['decision.feedback'] as const;
const CHALLENGE_TYPES = [
  'challenge.created',
  'challenge.started',
  'challenge.verified',
  'challenge.failed',
  'challenge.expired',
] as const;

/** Feedback labels from `since` on (a label may come long after its decision): the last one wins. */
async function readLabels(reader: BacktestSource, since: number): Promise<Map<string, 'fraud' | 'legit'>> {
  const labels = new Map<string, 'fraud' | 'legit'>();
  for await (const page of reader.eventsOfTypes(LABEL_TYPES, since, Number.MAX_SAFE_INTEGER)) {
    for (const row of page) {
      const event = JSON.parse(row.event) as AuditEventBody;
      if (event.decisionId && (event.outcome === 'fraud' || event.outcome === 'legit'))
        labels.set(event.decisionId, event.outcome);
    }
  }
  return labels;
}

/** Challenge events of the window, by method (the method is known from `challenge.started` on). */
async function readFriction(reader: BacktestSource, since: number, until: number) {
  const created = new Map<string, number>();
  const methods = new Map<string, { f: MethodFriction; h: SecondsHistogram }>();
  const of = (method: string) => {
    let m = methods.get(method);
    if (!m) {
      m = {
        f: { started: 0, verified: 0, failed: 0, expired: 0, completionRate: null, medianSeconds: null },
        h: new SecondsHistogram(),
      };
      methods.set(method, m);
    }
    return m;
  };
  let createdCount = 0;
  let verifiedCount = 0;
  let rows = 0;
  for await (const page of reader.eventsOfTypes(CHALLENGE_TYPES, since, until)) {
    for (const row of page) {
      const event = JSON.parse(row.event) as AuditEventBody;
      const id = event.challengeId;
      const method = event.what.method;
      if (row.type === 'challenge.created') {
        createdCount += 1;
        if (id) created.set(id, row.time);
      } else if (method) {
        const m = of(method);
        if (row.type === 'challenge.started') m.f.started += 1;
        else if (row.type === 'challenge.failed') m.f.failed += 1;
        else if (row.type === 'challenge.expired') m.f.expired += 1;
        else if (row.type === 'challenge.verified') {
          m.f.verified += 1;
          verifiedCount += 1;
          const at = id === undefined ? undefined : created.get(id);
          if (at !== undefined) m.h.add((row.time - at) / 1000);
          if (id) created.delete(id);
        }
      }
      // Challenges live minutes: forget creations older than a day, so memory stays bounded.
      if (++rows % 10_000 === 0) {
        const horizon = row.time - 86_400_000;
        for (const [k, t] of created) if (t < horizon) created.delete(k);
      }
    }
  }
  const byMethod: Record<string, MethodFriction> = {};
  for (const [method, { f, h }] of [...methods].sort(([a], [b]) => a.localeCompare(b))) {
    f.completionRate = f.started === 0 ? null : f.verified / f.started;
    f.medianSeconds = h.median();
    byMethod[method] = f;
  }
  return {
    challenges: {
      created: createdCount,
      verified: verifiedCount,
      completionRate: createdCount === 0 ? null : verifiedCount / createdCount,
    },
    methods: byMethod,
  };
}

/**
 * Replays the window through both policy sets and sums the report.
 *
 * @example
 * const report = await runBacktest({ reader, current, candidate, since: Date.now() - 7 * 86_400_000, until: Date.now() });
 */
export async function runBacktest(o: BacktestOptions): Promise<BacktestReport> {
  const source = o.reader;
  const labels = await readLabels(source, o.since);
  const total = o.onProgress ? await source.countDecisions(o.since, o.until) : 0;
  const every = o.progressEvery ?? 10_000;
  const currentIds = new Set(o.current.policyIds);
  const candidateIds = new Set(o.candidate.policyIds);
  const nowOutcomes: Record<Decision, number> = { allow: 0, step_up: 0, deny: 0 };
  const candOutcomes: Record<Decision, number> = { allow: 0, step_up: 0, deny: 0 };
  const transitions = new Map<string, Transition>();
  const policyNow = new Map<string, PolicyTally>();
  const policyCand = new Map<string, PolicyTally>();
  const policyTransitions = new Map<string, Record<string, string[]>>();
  const notReplayable: Record<string, number> = {};
  const lab: LabelReport = {
    fraud: {
      labelled: 0,
      replayable: 0,
      stoppedNow: 0,
      stoppedCandidate: 0,
      missedNow: 0,
      missedCandidate: 0,
    },
    legit: { labelled: 0, replayable: 0, challengedNow: 0, challengedCandidate: 0 },
  };
  let decisions = 0;
  let replayable = 0;

  const tally = (
    into: Map<string, PolicyTally>,
    matched: Array<[string, Decision, boolean]>,
    label: 'fraud' | 'legit' | undefined,
  ) => {
    for (const [id, outcome, reportOnly] of matched) {
      let t = into.get(id);
      if (!t) {
        t = { matched: 0, stepUp: 0, deny: 0, reportOnly, fraudCaught: 0, legitChallenged: 0 };
        into.set(id, t);
      }
      t.matched += 1;
      if (outcome === 'step_up') t.stepUp += 1;
      else if (outcome === 'deny') t.deny += 1;
      if (outcome !== 'allow' && label === 'fraud') t.fraudCaught += 1;
      else if (outcome !== 'allow' && label === 'legit') t.legitChallenged += 1;
    }
  };

  for await (const page of source.decisionsForReplay(o.since, o.until)) {
    for (const row of page) {
      decisions += 1;
      if (o.onProgress && decisions % every === 0) o.onProgress(decisions, total);
      if (o.yieldEvery && decisions % o.yieldEvery === 0) await new Promise((r) => setImmediate(r));
      const decisionId = row.decisionId ?? `seq:${row.seq}`;
      const label = labels.get(decisionId);
      if (label) lab[label].labelled += 1;
      let input: ReturnType<typeof evaluationInput>;
      if (row.input === null || row.digest === null) {
        notReplayable.no_input = (notReplayable.no_input ?? 0) + 1;
        continue;
      }
      if (createHash('sha256').update(row.input).digest('hex') !== row.digest) {
        notReplayable.digest_mismatch = (notReplayable.digest_mismatch ?? 0) + 1;
        continue;
      }
      try {
        input = evaluationInput(JSON.parse(row.input));
      } catch {
        input = undefined;
      }
      if (!input) {
        notReplayable.unreadable = (notReplayable.unreadable ?? 0) + 1;
        continue;
      }
      replayable += 1;
      const a = o.current.evaluate(input);
      const b = o.candidate.evaluate(input);
      nowOutcomes[a.decision] += 1;
      candOutcomes[b.decision] += 1;
      const matchedNow = matchedPolicies(a, currentIds);
      const matchedCand = matchedPolicies(b, candidateIds);
      tally(policyNow, matchedNow, label);
      tally(policyCand, matchedCand, label);
      if (a.decision !== b.decision) {
        const key = `${a.decision}→${b.decision}`;
        let t = transitions.get(key);
        if (!t) {
          t = { from: a.decision, to: b.decision, count: 0, examples: [] };
          transitions.set(key, t);
        }
        t.count += 1;
        if (t.examples.length < EXAMPLES) t.examples.push(decisionId);
        const ids = new Set([...matchedNow.map((m) => m[0]), ...matchedCand.map((m) => m[0])]);
        for (const id of ids) {
          let per = policyTransitions.get(id);
          if (!per) {
            per = {};
            policyTransitions.set(id, per);
          }
          const list = per[key] ?? [];
          per[key] = list;
          if (list.length < EXAMPLES) list.push(decisionId);
        }
      }
      if (label === 'fraud') {
        lab.fraud.replayable += 1;
        if (a.decision !== 'allow') lab.fraud.stoppedNow += 1;
        else lab.fraud.missedNow += 1;
        if (b.decision !== 'allow') lab.fraud.stoppedCandidate += 1;
        else lab.fraud.missedCandidate += 1;
      } else if (label === 'legit') {
        lab.legit.replayable += 1;
        if (a.decision !== 'allow') lab.legit.challengedNow += 1;
        if (b.decision !== 'allow') lab.legit.challengedCandidate += 1;
      }
    }
  }
  o.onProgress?.(decisions, total);

  const side = (policy: CompiledPolicy, outcomes: Record<Decision, number>): SideTotals => ({
    version: policy.version,
    outcomes,
    stepUpRate: rate(outcomes.step_up, replayable),
    denyRate: rate(outcomes.deny, replayable),
  });
  const policySide = (t: PolicyTally | undefined, inDoc: boolean): PolicySide | undefined =>
    inDoc
      ? {
          matched: t?.matched ?? 0,
          stepUp: t?.stepUp ?? 0,
          deny: t?.deny ?? 0,
          stepUpRate: rate(t?.stepUp ?? 0, replayable),
          denyRate: rate(t?.deny ?? 0, replayable),
          reportOnly: t?.reportOnly ?? false,
          fraudCaught: t?.fraudCaught ?? 0,
          legitChallenged: t?.legitChallenged ?? 0,
        }
      : undefined;
  const policyIds = [...new Set([...o.current.policyIds, ...o.candidate.policyIds])];
  const policies = policyIds.map((policyId): PolicyReport => {
    const report: PolicyReport = { policyId, transitions: policyTransitions.get(policyId) ?? {} };
    const now = policySide(policyNow.get(policyId), currentIds.has(policyId));
    const candidate = policySide(policyCand.get(policyId), candidateIds.has(policyId));
    if (now) report.now = now;
    if (candidate) report.candidate = candidate;
    return report;
  });

  const measured = await readFriction(source, o.since, o.until);
  const completion = measured.challenges.completionRate;
  const notReplayableCount = Object.values(notReplayable).reduce((s, n) => s + n, 0);
  return {
    window: { since: new Date(o.since).toISOString(), until: new Date(o.until).toISOString() },
    decisions,
    replayable,
    notReplayable: { count: notReplayableCount, reasons: notReplayable },
    now: side(o.current, nowOutcomes),
    candidate: side(o.candidate, candOutcomes),
    transitions: [...transitions.values()].sort((x, y) => y.count - x.count),
    policies,
    labels: lab,
    friction: {
      now: { challengesPer1000: rate(nowOutcomes.step_up * 1000, replayable) },
      candidate: { challengesPer1000: rate(candOutcomes.step_up * 1000, replayable) },
      challenges: measured.challenges,
      methods: measured.methods,
      abandonedChange:
        completion === null ? null : (candOutcomes.step_up - nowOutcomes.step_up) * (1 - completion),
    },
  };
}

/** Outcome names in report order. */
export { OUTCOMES };

/**
 * A window bound: an RFC 3339 time, or a duration back from `now` (`7d`, `12h`, `90m`).
 * Returns undefined for anything else.
 */
export function parseWhen(value: string, now: number): number | undefined {
  if (/^(\d+[smhdw])+$/.test(value)) {
    const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
    let seconds = 0;
    for (const [, n, u] of value.matchAll(/(\d+)([smhdw])/g)) seconds += Number(n) * unit[u!]!;
    return now - seconds * 1000;
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}
