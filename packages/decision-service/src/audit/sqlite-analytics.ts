import type { AuditAnalytics, BacktestSource, OverviewCounts } from './audit-port.js';
import { AuditReader } from './audit-reader.js';
import { REPORT_ONLY_MARK } from './audit-record.js';

/** Rows of a synchronous cursor in pages of `size`: one `await` per page, not per row. */
async function* pages<T>(rows: Iterable<T>, size = 1000): AsyncIterable<T[]> {
  let page: T[] = [];
  for (const row of rows) {
    page.push(row);
    if (page.length === size) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

/**
 * The embedded family's {@link BacktestSource}: the reader's SQLite cursors, paged.
 *
 * @example
 * const report = await runBacktest({ reader: sqliteBacktestSource(AuditReader.openFile(file)), … });
 */
export function sqliteBacktestSource(reader: AuditReader): BacktestSource {
  return {
    countDecisions: async (from, to) => reader.countDecisions(from, to),
    decisionsForReplay: (from, to) => pages(reader.decisionsForReplay(from, to)),
    eventsOfTypes: (types, from, to) => pages(reader.eventsOfTypes(types, from, to)),
  };
}

/** The overview's counts, summed by SQLite. */
export function sqliteOverviewCounts(
  reader: AuditReader,
  from: number,
  to: number,
  stepMs: number,
): OverviewCounts {
  const buckets = reader.db
    .prepare(
      `SELECT CAST((time - ?) / ? AS INTEGER) AS b, decision AS d, COUNT(*) AS n FROM audit_log
       WHERE type = 'decision' AND time >= ? AND time < ? GROUP BY b, d`,
    )
    .all(from, stepMs, from, to) as OverviewCounts['buckets'];
  // By position: SQLite resolves `GROUP BY decision` to the record's own `decision` column, not
  // the alias, which split one report-only outcome into a row per outcome of the record.
  const reportOnly = reader.db
    .prepare(
      `SELECT json_extract(r.value, '$.policyId') AS policyId, json_extract(r.value, '$.decision') AS decision,
         COUNT(*) AS count FROM audit_log, json_each(audit_log.event, '$.reportOnly') r
       WHERE audit_log.type = 'decision' AND audit_log.time >= ? AND audit_log.time < ?
         AND instr(audit_log.event, ?) > 0
       GROUP BY 1, 2 ORDER BY count DESC, 1, 2`,
    )
    .all(from, to, REPORT_ONLY_MARK) as OverviewCounts['reportOnly'];
  const head = reader.head();
  return { buckets, reportOnly, head: { count: head.count, seq: head.seq } };
}

/**
 * Backtests and the overview on the embedded audit log (`audit.db`): a backtest streams on its own
 * read connection, so it never holds the one `GET /v1/audit` uses.
 */
export function sqliteAuditAnalytics(reader: AuditReader, file: string): AuditAnalytics {
  return {
    openBacktestSource() {
      const own = AuditReader.openFile(file);
      return {
        ...sqliteBacktestSource(own),
        close: async () => own.close(),
      };
    },
    overviewCounts: async (from, to, stepMs) => sqliteOverviewCounts(reader, from, to, stepMs),
  };
}
