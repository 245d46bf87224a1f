import type { Decision } from '@stepgate/protocol';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { VERSION } from '../version.js';

/** Options of {@link ServiceMetrics}. */
export interface ServiceMetricsOptions {
  /** Also export the process metrics of prom-client (CPU, memory, event-loop lag). @defaultValue true */
  processMetrics?: boolean;
  /** Policy reload counts, read at each scrape. */
  policyReloads?: () => { ok: number; failed: number };
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** Seconds a person takes to finish a challenge: from a few seconds to the longest code lifetime. */
const COMPLETION_BUCKETS = [2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1800];

/** The challenge events counted by `stepgate_challenges_total` (`issued` = `challenge.created`). */
const CHALLENGE_STAGES: Record<string, string> = {
  'challenge.created': 'issued',
  'challenge.started': 'started',
  'challenge.verified': 'verified',
  'challenge.failed': 'failed',
  'challenge.expired': 'expired',
  'challenge.locked': 'locked',
};
/** Most challenges whose creation time is remembered for the completion histogram. */
const OPEN_CHALLENGES = 50_000;

/**
 * The service's Prometheus metrics (prom-client), in a registry of their own so that several
 * services in one process (tests) do not mix. Names follow the Prometheus conventions:
 * `_total` counters, `_seconds` histograms, base units.
 *
 * @example
 * const metrics = new ServiceMetrics();
 * metrics.observeDecision({ decision: 'allow', reasons: [] }, 0.002);
 * const text = await metrics.registry.metrics();
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly decisions: Counter<'decision'>;
  readonly policyMatches: Counter<'policy' | 'decision'>;
  readonly decisionSeconds: Histogram<'decision'>;
  readonly httpSeconds: Histogram<'method' | 'route' | 'status'>;
  /** Batches (and the appends in them) that could not be written: alert on any increase (S29). */
  readonly auditFailures: Counter;
  /** 1 while the audit log accepts writes, 0 after a failure until a write succeeds again. */
  readonly auditUp: Gauge;
  /** Decisions withheld because their audit record could not be written (S29). */
  readonly auditWithheld: Counter;
  readonly auditBatchSize: Histogram;
  readonly auditCommitSeconds: Histogram;
  readonly policyReloads: Counter<'result'>;
  /** Challenges by stage (`issued`, `started`, `verified`, `failed`, `expired`, `locked`) and method. */
  readonly challenges: Counter<'stage' | 'method'>;
  /** Seconds from a challenge's creation to its verification, by method. */
  readonly challengeCompletionSeconds: Histogram<'method'>;
  /** Requests answered 429 `rate_limited`, by route template. */
  readonly rateLimitHits: Counter<'route'>;
  /** Messages a sender could not deliver, by channel and sender type. */
  readonly senderFailures: Counter<'channel' | 'sender'>;
  readonly buildInfo: Gauge<'version' | 'node'>;
  readonly #created = new Map<string, number>();

  constructor(options: ServiceMetricsOptions = {}) {
    const registers = [this.registry];
    this.decisions = new Counter({
      name: 'stepgate_decisions_total',
      help: 'Decisions answered, by outcome.',
      labelNames: ['decision'],
      registers,
    });
    this.policyMatches = new Counter({
      name: 'stepgate_policy_decisions_total',
      help: 'Decisions by policy that gave a reason (stepgate = built-in reasons), and outcome.',
      labelNames: ['policy', 'decision'],
      registers,
    });
    this.decisionSeconds = new Histogram({
      name: 'stepgate_decision_duration_seconds',
      help: 'Time to decide, audit record durable included.',
      labelNames: ['decision'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.httpSeconds = new Histogram({
      name: 'stepgate_http_request_duration_seconds',
      help: 'HTTP request latency by route template and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.auditFailures = new Counter({
      name: 'stepgate_audit_write_failures_total',
      help: 'Audit batches that could not be written.',
      registers,
    });
    this.auditUp = new Gauge({
      name: 'stepgate_audit_up',
      help: '1 when the audit log accepts writes, 0 after a failed write.',
      registers,
    });
    this.auditUp.set(1);
    this.auditWithheld = new Counter({
      name: 'stepgate_audit_withheld_decisions_total',
      help: 'Decisions answered 503 because their audit record could not be made durable.',
      registers,
    });
    this.auditBatchSize = new Histogram({
      name: 'stepgate_audit_batch_size',
      help: 'Records per audit commit (group commit).',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
      registers,
    });
    this.auditCommitSeconds = new Histogram({
      name: 'stepgate_audit_commit_duration_seconds',
      help: 'Time from sending a batch to the writer until it is durable.',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    const reloads = options.policyReloads;
    this.policyReloads = new Counter({
      name: 'stepgate_policy_reloads_total',
      help: 'Policy reloads, by result (a failed reload keeps the old policies).',
      labelNames: ['result'],
      registers,
      collect() {
        if (!reloads) return;
        const { ok, failed } = reloads();
        this.reset();
        this.inc({ result: 'ok' }, ok);
        this.inc({ result: 'error' }, failed);
      },
    });
    this.challenges = new Counter({
      name: 'stepgate_challenges_total',
      help: 'Challenges by stage (issued, started, verified, failed, expired, locked) and method (issued: none).',
      labelNames: ['stage', 'method'],
      registers,
    });
    this.challengeCompletionSeconds = new Histogram({
      name: 'stepgate_challenge_completion_seconds',
      help: 'Time from a challenge being issued to its verification, by method.',
      labelNames: ['method'],
      buckets: COMPLETION_BUCKETS,
      registers,
    });
    this.rateLimitHits = new Counter({
      name: 'stepgate_rate_limit_hits_total',
      help: 'Requests answered 429 rate_limited, by route.',
      labelNames: ['route'],
      registers,
    });
    this.senderFailures = new Counter({
      name: 'stepgate_sender_failures_total',
      help: 'Codes and notices a sender could not deliver, by channel and sender type.',
      labelNames: ['channel', 'sender'],
      registers,
    });
    this.buildInfo = new Gauge({
      name: 'stepgate_build_info',
      help: 'Always 1; the labels say which build runs.',
      labelNames: ['version', 'node'],
      registers,
    });
    this.buildInfo.set({ version: VERSION, node: process.version }, 1);
    // The standard unprefixed names (process_cpu_seconds_total, nodejs_heap_size_used_bytes, …),
    // so the usual dashboards and alerts work unchanged.
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /**
   * Counts a challenge event, and a verification's time since its creation (when this process
   * saw the creation; another replica's challenges are counted but not timed).
   */
  observeChallengeEvent(
    event: { type: string; challengeId?: string; what?: { method?: string } },
    at: number,
  ): void {
    const stage = CHALLENGE_STAGES[event.type];
    if (stage === undefined) return;
    const method = event.what?.method ?? 'none';
    this.challenges.inc({ stage, method });
    const id = event.challengeId;
    if (id === undefined) return;
    if (stage === 'issued') {
      if (this.#created.size >= OPEN_CHALLENGES) {
        const oldest = this.#created.keys().next().value;
        if (oldest !== undefined) this.#created.delete(oldest);
      }
      this.#created.set(id, at);
    } else if (stage === 'verified' || stage === 'expired' || stage === 'locked') {
      const created = this.#created.get(id);
      this.#created.delete(id);
      if (stage === 'verified' && created !== undefined)
        this.challengeCompletionSeconds.observe({ method }, Math.max(0, (at - created) / 1000));
    }
  }

  /** Counts one decision and its latency (`invalid_request`: refused for a field of the wrong type). */
  observeDecision(
    answer: { decision: Decision | 'invalid_request'; reasons: ReadonlyArray<{ policyId: string }> },
    seconds: number,
  ): void {
    this.decisions.inc({ decision: answer.decision });
    this.decisionSeconds.observe({ decision: answer.decision }, seconds);
    for (const policy of new Set(answer.reasons.map((r) => r.policyId))) {
      this.policyMatches.inc({ policy, decision: answer.decision });
    }
  }

  /** Hooks for {@link AuditLog}'s `onBatch` and `onFailure`. */
  auditHooks() {
    return {
      onBatch: (size: number, seconds: number) => {
        this.auditUp.set(1);
        this.auditBatchSize.observe(size);
        this.auditCommitSeconds.observe(seconds);
      },
      onFailure: () => {
        this.auditUp.set(0);
        this.auditFailures.inc();
      },
    };
  }
}
