import { StepgateError } from '@stepgate/protocol';
import type { AuditAnalytics, ServiceAuditLog } from '../audit/audit-port.js';

/**
 * What backtests and the console's overview read: the audit log's analytics — the embedded
 * `audit.db` (SQLite) or the PostgreSQL chain, both of which keep decisions' replay inputs beside
 * the records (docs/audit.md "Replayable decisions").
 *
 * @throws StepgateError `conflict` when the service's audit log has none (a custom store family's).
 */
export function auditAnalytics(audit: Pick<ServiceAuditLog, 'analytics'>): AuditAnalytics {
  if (audit.analytics) return audit.analytics;
  throw new StepgateError(
    'conflict',
    "backtests and the console overview need an audit log that keeps replay inputs (store.type: sqlite or postgres); this store family's does not",
  );
}
