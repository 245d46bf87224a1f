import Database from 'better-sqlite3';
import type { AuditEventBody, AuditRecord } from './audit-record.js';
import { migrateAuditDb } from './audit-schema.js';

/** A stored row, as the verifier sees it (index columns included). */
export interface AuditRow {
  seq: number;
  time: number;
  type: string;
  user_id: string | null;
  action: string | null;
  decision: string | null;
  policy_version: string | null;
  policies: string | null;
  event: string;
  prev_hash: string;
  hash: string;
}

/** A decision of {@link AuditReader.decisionsForReplay}. */
export interface ReplayRow {
  seq: number;
  time: number;
  /** The record's `decisionId`. */
  decisionId: string | null;
  /** The record's `replayDigest` (SHA-256 hex of the input), or null. */
  digest: string | null;
  /** The replay input (canonical JSON), or null. */
  input: string | null;
}

/** Filters of {@link AuditReader.query} (and `GET /v1/audit`). */
export interface AuditQuery {
  /** Unix ms, inclusive. */
  from?: number;
  /** Unix ms, exclusive. */
  to?: number;
  userId?: string;
  action?: string;
  decision?: string;
  /** A policy id among the record's reasons. */
  policy?: string;
  policyVersion?: string;
  type?: string;
  /** Records with `seq` below this (the cursor), newest first. */
  beforeSeq?: number;
  /** @defaultValue 100 */
  limit?: number;
}

/** Parses a stored row into a record. */
export function recordFromRow(row: AuditRow): AuditRecord {
  return {
    seq: row.seq,
    prevHash: row.prev_hash,
    hash: row.hash,
    event: JSON.parse(row.event) as AuditEventBody,
  };
}

/**
 * Reads the audit log on its own connection (WAL readers never wait for the writer thread).
 *
 * @example
 * const reader = AuditReader.openFile('data/audit.db');
 * for (const row of reader.rows()) console.log(row.seq);
 */
export class AuditReader {
  /** @internal The driver handle; not part of the public types. */
  readonly db: Database.Database;

  /** @internal Use {@link AuditReader.openFile}. */
  constructor(db: Database.Database) {
    this.db = db;
  }

  /** Opens an existing (or new, empty) audit database for reading. */
  static openFile(file: string): AuditReader {
    const db = new Database(file);
    migrateAuditDb(db);
    return new AuditReader(db);
  }

  /** Number of records and the last one's seq and hash. */
  head(): { count: number; seq: number; hash: string | undefined } {
    const row = this.db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as
      | { seq: number; hash: string }
      | undefined;
    const { n } = this.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number };
    return { count: n, seq: row?.seq ?? 0, hash: row?.hash };
  }

  /** The record with this seq. */
  get(seq: number): AuditRow | undefined {
    return this.db.prepare('SELECT * FROM audit_log WHERE seq = ?').get(seq) as AuditRow | undefined;
  }

  /** Every row in seq order, streamed from SQLite. */
  rows(): IterableIterator<AuditRow> {
    return this.db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditRow>;
  }

  /** Filtered records, newest first, `limit` at most, and the cursor of the next page. */
  query(q: AuditQuery): { records: AuditRecord[]; nextBeforeSeq?: number } {
    const where: string[] = [];
    const args: unknown[] = [];
    const eq = (column: string, value: unknown) => {
      if (value === undefined) return;
      where.push(`${column} = ?`);
      args.push(value);
    };
    if (q.from !== undefined) {
      where.push('time >= ?');
      args.push(q.from);
    }
    if (q.to !== undefined) {
      where.push('time < ?');
      args.push(q.to);
    }
    if (q.beforeSeq !== undefined) {
      where.push('seq < ?');
      args.push(q.beforeSeq);
    }
    eq('user_id', q.userId);
    eq('action', q.action);
    eq('decision', q.decision);
    eq('policy_version', q.policyVersion);
    eq('type', q.type);
    if (q.policy !== undefined) {
      where.push("instr(policies, ',' || ? || ',') > 0");
      args.push(q.policy);
    }
    const limit = q.limit ?? 100;
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...args, limit + 1) as AuditRow[];
    const records = rows.slice(0, limit).map(recordFromRow);
    return rows.length > limit ? { records, nextBeforeSeq: records.at(-1)!.seq } : { records };
  }

  /**
   * The decisions of a window (`from` inclusive, `to` exclusive, Unix ms) with their replay input
   * (`input` is null when none was kept or it is past its retention), in seq order, streamed.
   */
  decisionsForReplay(from: number, to: number): IterableIterator<ReplayRow> {
    return this.db
      .prepare(
        // The two members are read by SQLite: the event text never crosses into JavaScript.
        `SELECT l.seq AS seq, l.time AS time, json_extract(l.event, '$.decisionId') AS decisionId,
           json_extract(l.event, '$.replayDigest') AS digest, r.input AS input FROM audit_log l
         LEFT JOIN audit_replay r ON r.seq = l.seq
         WHERE l.type = 'decision' AND l.time >= ? AND l.time < ? ORDER BY l.seq`,
      )
      .iterate(from, to) as IterableIterator<ReplayRow>;
  }

  /** Number of decisions in a window (for progress). */
  countDecisions(from: number, to: number): number {
    const row = this.db
      .prepare(`SELECT COUNT(*) AS n FROM audit_log WHERE type = 'decision' AND time >= ? AND time < ?`)
      .get(from, to) as { n: number };
    return row.n;
  }

  /** Records of these types in a window, in seq order, streamed. */
  eventsOfTypes(types: readonly string[], from: number, to: number): IterableIterator<AuditRow> {
    return this.db
      .prepare(
        `SELECT * FROM audit_log WHERE type IN (${types.map(() => '?').join(', ')}) AND time >= ? AND time < ? ORDER BY seq`,
      )
      .iterate(...types, from, to) as IterableIterator<AuditRow>;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
