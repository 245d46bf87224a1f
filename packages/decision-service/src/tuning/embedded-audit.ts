import { StepgateError } from '@stepgate/protocol';
import type { AuditLogReader } from '../audit/audit-port.js';
import { AuditReader } from '../audit/audit-reader.js';

/**
 * What backtests, replay retention and the console's overview read: the embedded audit log
 * (`audit.db`, SQLite), where replay inputs live beside the chain. The PostgreSQL store family's
 * chain does not keep replay inputs yet, so these features answer a clear `conflict` there rather
 * than a guess.
 *
 * @throws StepgateError `conflict` when the service runs on another store family.
 */
export function embeddedAuditReader(reader: AuditLogReader): AuditReader {
  if (reader instanceof AuditReader) return reader;
  throw new StepgateError(
    'conflict',
    'backtests and the console overview read the embedded audit log (store.type: sqlite); they are not available with store.type: postgres yet',
  );
}
