import type { AuditHead } from './audit-checkpoint.js';
import type { AuditInput, AuditSink } from './audit-event.js';
import type { AuditQuery, AuditRow, ReplayRow } from './audit-reader.js';
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
  /** Backtests and the console's overview; absent: they answer `conflict`. */
  readonly analytics?: AuditAnalytics;
}

/**
 * What a backtest reads (`runBacktest`), the same on both store families. The streams give rows
 * in seq order, in pages (arrays), so that the embedded family's synchronous SQLite cursor pays
 * one `await` per page rather than per row.
 */
export interface BacktestSource {
  /** Number of decisions in a window (`from` inclusive, `to` exclusive, Unix ms), for progress. */
  countDecisions(from: number, to: number): Promise<number>;
  /** The decisions of a window with their replay input (null when none is kept). */
  decisionsForReplay(from: number, to: number): AsyncIterable<readonly ReplayRow[]>;
  /** Records of these types in a window. */
  eventsOfTypes(types: readonly string[], from: number, to: number): AsyncIterable<readonly AuditRow[]>;
}

/** What the console's overview counts in a window: see {@link AuditAnalytics.overviewCounts}. */
export interface OverviewCounts {
  /** Decisions per step (`b`: index of the step from `from`) and outcome (`d`). */
  buckets: Array<{ b: number; d: string; n: number }>;
  /** Report-only policies' would-be outcomes, most frequent first. */
  reportOnly: Array<{ policyId: string; decision: string; count: number }>;
  /** Records in the whole log, and the last seq. */
  head: { count: number; seq: number };
}

/** Reading the audit log for backtests and the overview (both store families). */
export interface AuditAnalytics {
  /** A source for one backtest (its own connection where that matters); close it after. */
  openBacktestSource(): BacktestSource & { close(): Promise<void> };
  /** Decision counts of `[from, to)` per `stepMs`, report-only outcomes and the log's head. */
  overviewCounts(from: number, to: number, stepMs: number): Promise<OverviewCounts>;
}

/** Reads a whole log for `stepgate audit verify|checkpoint|export`. */
export interface AuditChainSource {
  head(): Promise<AuditHead>;
  rows(): AsyncIterable<AuditRow>;
  close(): Promise<void>;
}
