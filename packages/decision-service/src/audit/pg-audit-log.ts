import { StepgateError } from '@stepgate/protocol';
import type { Pool } from 'pg';
import { int, optInt, optStr, type PgRow, str } from '../stores/postgres/pg-rows.js';
import type { AuditHead } from './audit-checkpoint.js';
import type { AuditInput } from './audit-event.js';
import type {
  AuditAnalytics,
  AuditChainSource,
  AuditPage,
  BacktestSource,
  OverviewCounts,
  ServiceAuditLog,
} from './audit-port.js';
import { type AuditQuery, type AuditRow, type ReplayRow, recordFromRow } from './audit-reader.js';
import { type AuditIndexColumns, REPORT_ONLY_MARK, storedRecord } from './audit-record.js';

/** Options of {@link PgAuditLog}. */
export interface PgAuditLogOptions {
  /** Most records in one append statement. @defaultValue 1000 */
  maxBatch?: number;
  /** Most appends waiting; beyond it an append fails at once (fail closed). @defaultValue 20000 */
  maxQueue?: number;
  /**
   * How long decisions' replay inputs are kept (`audit_replay`), seconds; older ones are deleted
   * after a batch, at most once a minute per process. The records themselves are never deleted.
   * @defaultValue 7776000 (90 days)
   */
  replayRetention?: number;
  /** Unix ms. @defaultValue Date.now */
  now?: () => number;
  onBatch?: (size: number, seconds: number) => void;
  onFailure?: (error: Error) => void;
  /** Deleting replay inputs past their retention failed; the next minute tries again. */
  onPruneFailure?: (error: Error) => void;
}

interface Pending {
  item: AuditIndexColumns & { event: string; replay: string | null };
  resolve: (seq: number) => void;
  reject: (error: Error) => void;
}

const unavailable = (cause: unknown) =>
  new StepgateError('service_unavailable', 'the audit log cannot be written', { cause });

/** An `audit_log` row from PostgreSQL, checked. */
function auditRow(r: PgRow): AuditRow {
  return {
    seq: int(r, 'seq'),
    time: int(r, 'time'),
    type: str(r, 'type'),
    user_id: optStr(r, 'user_id') ?? null,
    action: optStr(r, 'action') ?? null,
    decision: optStr(r, 'decision') ?? null,
    policy_version: optStr(r, 'policy_version') ?? null,
    policies: optStr(r, 'policies') ?? null,
    event: str(r, 'event'),
    prev_hash: str(r, 'prev_hash'),
    hash: str(r, 'hash'),
  };
}

/**
 * The audit log of the PostgreSQL family: one hash chain shared by every replica
 * (docs/decisions/0005-audit-chain-across-replicas.md). Appends of one process go together
 * (group commit: what queues while a batch is in flight goes in the next one); each batch is one
 * call of `stepgate_audit_append`, which locks the single `audit_head` row, allocates the next
 * seqs, chains the hashes and inserts the rows in one transaction. An append resolves once that
 * transaction committed (`synchronous_commit = on`: in PostgreSQL's WAL on disk), so an
 * acknowledged record survives a `kill -9` of the replica and a crash of the database server.
 */
export class PgAuditLog implements ServiceAuditLog {
  readonly #pool: Pool;
  readonly #options: PgAuditLogOptions;
  readonly #now: () => number;
  #queue: Pending[] = [];
  #inFlight = false;
  #scheduled = false;
  #healthy = true;
  #closing: Promise<void> | undefined;
  #prunedAt = 0;
  readonly reader: { query(q: AuditQuery): Promise<AuditPage> };
  /** Backtests and the console's overview, on the same pool. */
  readonly analytics: AuditAnalytics;

  constructor(pool: Pool, options: PgAuditLogOptions = {}) {
    this.#pool = pool;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.reader = { query: (q) => queryAudit(pool, q) };
    this.analytics = pgAuditAnalytics(pool);
  }

  get healthy(): boolean {
    return this.#healthy;
  }

  async append(event: AuditInput): Promise<void> {
    await this.appendRecord(event);
  }

  appendRecord(event: AuditInput): Promise<number> {
    if (this.#closing) return Promise.reject(unavailable(new Error('the audit log is closed')));
    if (this.#queue.length >= (this.#options.maxQueue ?? 20_000)) {
      const error = unavailable(new Error('the audit writer is too far behind'));
      this.#options.onFailure?.(error);
      return Promise.reject(error);
    }
    let item: Pending['item'];
    try {
      const stored = storedRecord(event, this.#now());
      item = { ...stored, replay: stored.replay ?? null };
    } catch (error) {
      return Promise.reject(unavailable(error));
    }
    return new Promise<number>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  async probe(): Promise<boolean> {
    if (this.#closing) return false;
    try {
      const r = await this.#pool.query('SELECT seq FROM audit_head WHERE id = 1');
      const ok = r.rowCount === 1;
      if (ok) this.#healthy = true;
      return ok;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      while (this.#queue.length > 0 || this.#inFlight) {
        this.#flush();
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    return this.#closing;
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  /**
   * Deletes replay inputs past their retention (the records stay: they are hash-chained), at most
   * once a minute, as the SQLite writer does; the clock is the batch's last record's time. It runs
   * before the batch is acknowledged, so a decision answered after it sees the pruned table. A
   * failure is not the batch's: the records are durable, `onPruneFailure` hears of it and the next
   * minute tries again.
   */
  async #pruneReplays(now: number): Promise<void> {
    if (now - this.#prunedAt <= 60_000) return;
    this.#prunedAt = now;
    const retentionMs = (this.#options.replayRetention ?? 90 * 86_400) * 1000;
    try {
      await this.#pool.query('DELETE FROM audit_replay WHERE time < $1', [now - retentionMs]);
    } catch (cause) {
      // Tried again a minute later, not on the next batch: a lasting failure logs once a minute.
      this.#options.onPruneFailure?.(cause instanceof Error ? cause : new Error(String(cause)));
    }
  }

  #flush(): void {
    if (this.#inFlight || this.#queue.length === 0) return;
    const batch = this.#queue.splice(0, this.#options.maxBatch ?? 1000);
    this.#inFlight = true;
    const started = performance.now();
    const col = <K extends keyof Pending['item']>(k: K) => batch.map((p) => p.item[k]);
    this.#pool
      .query(
        'SELECT stepgate_audit_append($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) AS first',
        [
          col('event'),
          col('time'),
          col('type'),
          col('userId'),
          col('action'),
          col('decision'),
          col('policyVersion'),
          col('policies'),
          col('replay'),
        ],
      )
      .then(async (r) => {
        await this.#pruneReplays(batch.at(-1)!.item.time);
        return r;
      })
      .then(
        (r) => {
          const first = int(r.rows[0] as PgRow, 'first');
          this.#healthy = true;
          this.#options.onBatch?.(batch.length, (performance.now() - started) / 1000);
          for (const [i, p] of batch.entries()) p.resolve(first + i);
        },
        (cause: unknown) => {
          this.#healthy = false;
          const error = unavailable(cause);
          this.#options.onFailure?.(error);
          for (const p of batch) p.reject(error);
        },
      )
      .finally(() => {
        this.#inFlight = false;
        this.#flush();
      });
  }
}

/** Filtered records, newest first (as `AuditReader.query`). */
async function queryAudit(pool: Pool, q: AuditQuery): Promise<AuditPage> {
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    if (value === undefined) return;
    args.push(value);
    where.push(sql.replace('?', `$${args.length}`));
  };
  add('time >= ?', q.from);
  add('time < ?', q.to);
  add('seq < ?', q.beforeSeq);
  add('user_id = ?', q.userId);
  add('action = ?', q.action);
  add('decision = ?', q.decision);
  add('policy_version = ?', q.policyVersion);
  add('type = ?', q.type);
  add("strpos(policies, ',' || ? || ',') > 0", q.policy);
  const limit = q.limit ?? 100;
  args.push(limit + 1);
  const r = await pool.query(
    `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${args.length}`,
    args,
  );
  const rows = (r.rows as PgRow[]).map(auditRow);
  const records = rows.slice(0, limit).map(recordFromRow);
  return rows.length > limit ? { records, nextBeforeSeq: records.at(-1)!.seq } : { records };
}

/** The whole chain in PostgreSQL, read in pages of 1000 (for verify, checkpoint and export). */
export function pgAuditSource(pool: Pool, close: () => Promise<void>): AuditChainSource {
  return {
    async head(): Promise<AuditHead> {
      const r = await pool.query(
        'SELECT (SELECT COUNT(*) FROM audit_log) AS n, (SELECT seq FROM audit_log ORDER BY seq DESC LIMIT 1) AS seq, (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1) AS hash',
      );
      const row = r.rows[0] as PgRow;
      return { count: int(row, 'n'), seq: optInt(row, 'seq') ?? 0, hash: optStr(row, 'hash') };
    },
    async *rows(): AsyncIterable<AuditRow> {
      let after = 0;
      for (;;) {
        const r = await pool.query('SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 1000', [after]);
        const rows = (r.rows as PgRow[]).map(auditRow);
        yield* rows;
        if (rows.length < 1000) return;
        after = rows.at(-1)!.seq;
      }
    },
    close,
  };
}

const PAGE = 1000;

/**
 * Pages of the rows of `audit_log l` that `filter` selects, in seq order: `WHERE l.seq > $1 AND
 * l.seq <= $2 AND … ORDER BY l.seq LIMIT 1000`, until a short page. `filter(n)` writes the
 * condition with its own parameters from `$n` on. The seq range is first bounded by the filter's
 * lowest and highest seq (one scan of the time index), so that every page is a short range of
 * the primary key: unbounded, the first page of a recent window would scan every older record, and
 * a page could re-sort the whole window.
 */
async function* bySeq<T extends { seq: number }>(
  pool: Pool,
  select: string,
  filter: (n: number) => string,
  args: unknown[],
  map: (r: PgRow) => T,
): AsyncIterable<T[]> {
  const bounds = await pool.query(
    `SELECT MIN(l.seq) AS lo, MAX(l.seq) AS hi FROM audit_log l WHERE ${filter(1)}`,
    args,
  );
  const lo = optInt(bounds.rows[0] as PgRow, 'lo');
  const hi = optInt(bounds.rows[0] as PgRow, 'hi');
  if (lo === undefined || hi === undefined) return;
  const sql = `${select} WHERE l.seq > $1 AND l.seq <= $2 AND ${filter(3)} ORDER BY l.seq LIMIT ${PAGE}`;
  let after = lo - 1;
  for (;;) {
    const r = await pool.query(sql, [after, hi, ...args]);
    const rows = (r.rows as PgRow[]).map(map);
    if (rows.length > 0) yield rows;
    if (rows.length < PAGE) return;
    after = rows.at(-1)!.seq;
  }
}

/** A decision row with its replay input, checked. */
function replayRow(r: PgRow): ReplayRow {
  return {
    seq: int(r, 'seq'),
    time: int(r, 'time'),
    decisionId: optStr(r, 'decisionId') ?? null,
    digest: optStr(r, 'digest') ?? null,
    input: optStr(r, 'input') ?? null,
  };
}

/**
 * The PostgreSQL family's {@link BacktestSource}: the chain and `audit_replay` read in pages of
 * 1000 by seq, on the pool (no cursor holds a connection between pages).
 */
export function pgBacktestSource(pool: Pool): BacktestSource {
  return {
    async countDecisions(from, to) {
      const r = await pool.query(
        "SELECT COUNT(*) AS n FROM audit_log WHERE type = 'decision' AND time >= $1 AND time < $2",
        [from, to],
      );
      return int(r.rows[0] as PgRow, 'n');
    },
    decisionsForReplay: (from, to) =>
      bySeq(
        pool,
        // The two members are read by PostgreSQL: the event text never crosses into JavaScript.
        // The input by a lookup per row: a merge join would scan audit_replay from its start on
        // every page.
        `SELECT l.seq, l.time, e.j ->> 'decisionId' AS "decisionId", e.j ->> 'replayDigest' AS digest,
           (SELECT r.input FROM audit_replay r WHERE r.seq = l.seq) AS input
         FROM audit_log l CROSS JOIN LATERAL (SELECT l.event::json AS j) e`,
        (n) => `l.type = 'decision' AND l.time >= $${n} AND l.time < $${n + 1}`,
        [from, to],
        replayRow,
      ),
    eventsOfTypes: (types, from, to) =>
      bySeq(
        pool,
        'SELECT l.* FROM audit_log l',
        (n) => `l.type = ANY($${n}::text[]) AND l.time >= $${n + 1} AND l.time < $${n + 2}`,
        [types, from, to],
        auditRow,
      ),
  };
}

/** Backtests and the overview on the PostgreSQL chain. */
export function pgAuditAnalytics(pool: Pool): AuditAnalytics {
  return {
    openBacktestSource: () => ({ ...pgBacktestSource(pool), close: async () => {} }),
    async overviewCounts(from, to, stepMs): Promise<OverviewCounts> {
      const buckets = await pool.query(
        `SELECT (time - $1::bigint) / $2::bigint AS b, decision AS d, COUNT(*) AS n FROM audit_log
         WHERE type = 'decision' AND time >= $1 AND time < $3 GROUP BY b, d`,
        [from, stepMs, to],
      );
      const reportOnly = await pool.query(
        `SELECT r ->> 'policyId' AS "policyId", r ->> 'decision' AS decision, COUNT(*) AS count
         FROM audit_log l CROSS JOIN LATERAL (SELECT l.event::json -> 'reportOnly' AS ro) e
         CROSS JOIN LATERAL json_array_elements(CASE WHEN json_typeof(e.ro) = 'array' THEN e.ro END) r
         WHERE l.type = 'decision' AND l.time >= $1 AND l.time < $2 AND strpos(l.event, $3) > 0
         GROUP BY 1, 2 ORDER BY count DESC, 1, 2`,
        [from, to, REPORT_ONLY_MARK],
      );
      const head = await pgAuditSource(pool, async () => {}).head();
      return {
        buckets: (buckets.rows as PgRow[]).map((r) => ({
          b: int(r, 'b'),
          d: optStr(r, 'd') ?? '',
          n: int(r, 'n'),
        })),
        reportOnly: (reportOnly.rows as PgRow[]).map((r) => ({
          policyId: str(r, 'policyId'),
          decision: str(r, 'decision'),
          count: int(r, 'count'),
        })),
        head: { count: head.count, seq: head.seq },
      };
    },
  };
}
