/**
 * The `audit` section of the configuration: its JSON Schema part (in `configSchema`) and the
 * function that fills its defaults. docs/audit.md explains the trade-offs.
 */
import { AUDIT_DEFAULTS, type AuditSettings } from '../audit/service-audit.js';
import { type DurationInput, durationSeconds, RETENTION_BOUNDS } from './duration.js';

/** `audit` as written in the file. */
export interface AuditConfigInput {
  /** Extra wait before the first commit of a batch, ms. @defaultValue 0 */
  batchWindowMs?: number;
  /** Most records per transaction. @defaultValue 1000 */
  maxBatch?: number;
  /** `full` survives power loss; `normal` only process crashes. @defaultValue 'full' */
  synchronous?: 'full' | 'normal';
  /** Replayable decisions (docs/audit.md "Replayable decisions"). */
  replay?: {
    /** Record each decision's evaluation input. @defaultValue true */
    enabled?: boolean;
    /** How long replay inputs are kept. @defaultValue '90d' */
    retention?: DurationInput;
    /** Transaction fields kept (paths under `transaction`). @defaultValue the ones the policies compare */
    transactionFields?: string[];
  };
}

/** JSON Schema of the `audit` section. */
export const auditConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    batchWindowMs: { type: 'integer', minimum: 0, maximum: 1000 },
    maxBatch: { type: 'integer', minimum: 1, maximum: 10_000 },
    synchronous: { enum: ['full', 'normal'] },
    replay: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        retention: {
          anyOf: [
            { type: 'integer', minimum: RETENTION_BOUNDS.min, maximum: RETENTION_BOUNDS.max },
            { type: 'string', pattern: '^(\\d+[smhd])+$' },
          ],
        },
        transactionFields: {
          type: 'array',
          maxItems: 100,
          uniqueItems: true,
          items: { type: 'string', pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+){0,7}$' },
        },
      },
    },
  },
} as const;

/**
 * Fills the defaults of the `audit` section.
 *
 * @example
 * normalizeAudit({ maxBatch: 500 }); // { batchWindowMs: 0, maxBatch: 500, synchronous: 'full' }
 */
export function normalizeAudit(input: AuditConfigInput | undefined): AuditSettings {
  return {
    batchWindowMs: input?.batchWindowMs ?? AUDIT_DEFAULTS.batchWindowMs,
    maxBatch: input?.maxBatch ?? AUDIT_DEFAULTS.maxBatch,
    synchronous: input?.synchronous ?? AUDIT_DEFAULTS.synchronous,
    replay: {
      enabled: input?.replay?.enabled ?? AUDIT_DEFAULTS.replay.enabled,
      retention:
        input?.replay?.retention === undefined
          ? AUDIT_DEFAULTS.replay.retention
          : durationSeconds(input.replay.retention),
      ...(input?.replay?.transactionFields === undefined
        ? {}
        : { transactionFields: input.replay.transactionFields }),
    },
  };
}
