import type { AuditHead } from './audit-checkpoint.js';
import type { AuditInput, AuditSink } from './audit-event.js';
import type { AuditQuery, AuditRow } from './audit-reader.js';
import type { AuditRecord } from './audit-record.js';

/** A page of {@link AuditLogReader.query}. */
export interface AuditPage {
  records: AuditRecord[];
  nextBeforeSeq?: number;
}

/** Reading an audit log: SQLite answers at once, PostgreSQL asynchronously. */
export interface AuditLogReader {
  query(q: AuditQuery): AuditPage | Promise<AuditPage>;
}

/**
 * What the service needs of an audit log: the SQLite `AuditLog` (one file, one writer thread) and
 * the PostgreSQL `PgAuditLog` (one chain for every replica) both give it. `append` resolves only
 * once the record is durable (S29).
 */
export interface ServiceAuditLog extends AuditSink {
  appendRecord(event: AuditInput): Promise<number>;
  /** False after a failed write, until one succeeds again. */
  readonly healthy: boolean;
  /** Checks that a write could succeed now (for `/readyz`). */
  probe(): Promise<boolean>;
  close(): Promise<void>;
  readonly reader: AuditLogReader;
}

/** Reads a whole log for `stepgate audit verify|checkpoint|export`. */
export interface AuditChainSource {
  head(): Promise<AuditHead>;
  rows(): AsyncIterable<AuditRow>;
  close(): Promise<void>;
}
