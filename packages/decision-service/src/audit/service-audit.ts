import { join } from 'node:path';
import { StepgateError } from '@stepgate/protocol';
import type { Logger } from 'pino';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import type { AuditOpenOptions } from '../stores/stores.js';
import { REPLAY_DEFAULTS, type ReplaySettings } from '../tuning/replay-input.js';
import type { AuditInput } from './audit-event.js';
import { AuditLog } from './audit-log.js';
import type { ServiceAuditLog } from './audit-port.js';
import { AUDIT_DB_FILE_NAME } from './audit-schema.js';

/** The `audit` section of the service configuration. */
export interface AuditSettings {
  /** @defaultValue 0 (batch what arrives in one event-loop turn and during a commit) */
  batchWindowMs: number;
  /** @defaultValue 1000 */
  maxBatch: number;
  /** @defaultValue 'full' */
  synchronous: 'full' | 'normal';
  /** Replayable decisions, for backtests (docs/audit.md "Replayable decisions"). */
  replay: ReplaySettings;
}

/** Defaults of {@link AuditSettings}. */
export const AUDIT_DEFAULTS: AuditSettings = {
  batchWindowMs: 0,
  maxBatch: 1000,
  synchronous: 'full',
  replay: REPLAY_DEFAULTS,
};

/**
 * Opens the service's audit log (`<dataDir>/audit.db`) with its metrics and a log line per failed
 * batch.
 *
 * @example
 * const audit = await openServiceAudit({ dataDir, settings: AUDIT_DEFAULTS, metrics, log, now: Date.now });
 */
export function openServiceAudit(p: {
  dataDir: string;
  settings: AuditSettings;
  metrics: ServiceMetrics;
  log: Logger;
  now: () => number;
  /** The store family's audit log (PostgreSQL); absent: `<dataDir>/audit.db`. */
  open?: ((options: AuditOpenOptions) => Promise<ServiceAuditLog>) | undefined;
}): Promise<ServiceAuditLog> {
  const hooks = p.metrics.auditHooks();
  const common = {
    maxBatch: p.settings.maxBatch,
    now: p.now,
    onBatch: hooks.onBatch,
    onFailure: (error: Error) => {
      hooks.onFailure();
      p.log.error(
        { err: error.cause ?? error },
        'audit write failed: decisions are withheld until it recovers',
      );
    },
  };
  if (p.open)
    return p.open({
      ...common,
      replayRetention: p.settings.replay.retention,
      onPruneFailure: (error: Error) =>
        p.log.warn(
          { err: error },
          'audit: deleting replay inputs past their retention failed; retrying in a minute',
        ),
    });
  return AuditLog.open({
    ...common,
    file: join(p.dataDir, AUDIT_DB_FILE_NAME),
    batchWindowMs: p.settings.batchWindowMs,
    synchronous: p.settings.synchronous,
    replayRetention: p.settings.replay.retention,
  });
}

/**
 * Appends a decision's record and waits until it is durable (S29). When it cannot be written the
 * decision is withheld: the withheld counter rises and the caller gets `service_unavailable`, so
 * the Node client fails closed.
 *
 * @throws StepgateError `service_unavailable`
 */
export async function auditOrWithhold(
  ctx: { audit: { append(e: AuditInput): Promise<void> }; metrics: ServiceMetrics },
  pending: Promise<void>,
): Promise<void> {
  try {
    await pending;
  } catch (cause) {
    ctx.metrics.auditWithheld.inc();
    throw new StepgateError(
      'service_unavailable',
      'the audit log cannot be written; the decision is withheld (fail closed)',
      { cause },
    );
  }
}
