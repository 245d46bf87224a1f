import type { Decision } from '@stepgate/protocol';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Options of {@link ServiceMetrics}. */
export interface ServiceMetricsOptions {
  /** Also export the process metrics of prom-client (CPU, memory, event-loop lag). @defaultValue true */
  processMetrics?: boolean;
  /** Policy reload counts, read at each scrape. */
  policyReloads?: () => { ok: number; failed: number };
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

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
    if (options.processMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: 'stepgate_' });
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
