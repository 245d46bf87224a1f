import { StepgateError } from '@stepgate/protocol';
import type { Pool } from 'pg';
import { int, optInt, optStr, type PgRow, str } from '../stores/postgres/pg-rows.js';
import type { AuditHead } from './audit-checkpoint.js';
import type { AuditInput } from './audit-event.js';
import type { AuditChainSource, AuditPage, ServiceAuditLog } from './audit-port.js';
import { type AuditQuery, type AuditRow, recordFromRow } from './audit-reader.js';
import { type AuditIndexColumns, auditEventText } from './audit-record.js';

/** Options of {@link PgAuditLog}. */
export interface PgAuditLogOptions {
  /** Most records in one append statement. @defaultValue 1000 */
  maxBatch?: number;
  /** Most appends waiting; beyond it an append fails at once (fail closed). @defaultValue 20000 */
  maxQueue?: number;
  /** Unix ms. @defaultValue Date.now */
  now?: () => number;
  onBatch?: (size: number, seconds: number) => void;
  onFailure?: (error: Error) => void;
}

interface Pending {
  item: AuditIndexColumns & { event: string };
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
  readonly reader: { query(q: AuditQuery): Promise<AuditPage> };

  constructor(pool: Pool, options: PgAuditLogOptions = {}) {
    this.#pool = pool;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.reader = { query: (q) => queryAudit(pool, q) };
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
      const { text, columns } = auditEventText(event, this.#now());
      item = { event: text, ...columns };
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

  #flush(): void {
    if (this.#inFlight || this.#queue.length === 0) return;
    const batch = this.#queue.splice(0, this.#options.maxBatch ?? 1000);
    this.#inFlight = true;
    const started = performance.now();
    const col = <K extends keyof Pending['item']>(k: K) => batch.map((p) => p.item[k]);
    this.#pool
      .query(
        'SELECT stepgate_audit_append($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS first',
        [
          col('event'),
          col('time'),
          col('type'),
          col('userId'),
          col('action'),
          col('decision'),
          col('policyVersion'),
          col('policies'),
        ],
      )
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
