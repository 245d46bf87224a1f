import type { KeyObject } from 'node:crypto';
import { type AuditCheckpoint, checkpointSignatureValid } from './audit-checkpoint.js';
import type { AuditRow } from './audit-reader.js';
import { type AuditEventBody, GENESIS_HASH, indexColumns, recordHash } from './audit-record.js';

/** What verify can find (S28). */
export type AuditProblemKind =
  /** A record's content does not match its hash: flipped. */
  | 'hash_mismatch'
  /** `prevHash` is not the previous record's hash: a record was deleted, inserted or moved. */
  | 'chain_break'
  /** A sequence number is missing or out of order. */
  | 'seq_gap'
  /** The index columns disagree with the hashed event (a hidden edit of the query columns). */
  | 'index_mismatch'
  /** The stored event is not JSON. */
  | 'malformed'
  /** The log ends before the checkpoint's head: its tail was cut. */
  | 'truncated'
  /** The record at the checkpoint's head has another hash: the chain was recomputed. */
  | 'checkpoint_mismatch'
  /** The checkpoint's signature does not verify under this service's key. */
  | 'bad_checkpoint_signature';

/** One finding. */
export interface AuditProblem {
  seq: number;
  kind: AuditProblemKind;
  message: string;
}

/** The outcome of {@link verifyAuditLog}. */
export interface AuditVerifyReport {
  ok: boolean;
  /** Records read. */
  count: number;
  headSeq: number;
  headHash: string;
  /** The first problems found (at most 100). */
  problems: AuditProblem[];
  /** Whether the checkpoint's head was found with its hash. */
  checkpointMatched?: boolean;
}

const MAX_PROBLEMS = 100;

/**
 * Verifies the hash chain over rows in `seq` order: each hash recomputed from its event, each
 * `prevHash` equal to the previous hash, sequence numbers contiguous from 1, index columns equal
 * to the event. Against a checkpoint (whose signature is checked first), the record at its head
 * must exist with the signed hash, which finds a truncated tail and a recomputed chain.
 *
 * @example
 * const report = verifyAuditLog(reader.rows(), { checkpoint, publicKey: checkpointKey(masterKey).publicKey });
 */
export function verifyAuditLog(rows: Iterable<AuditRow>, options: VerifyOptions = {}): AuditVerifyReport {
  const v = chainVerifier(options);
  for (const row of rows) v.push(row);
  return v.finish();
}

/**
 * {@link verifyAuditLog} over rows that arrive asynchronously (the PostgreSQL audit log, read
 * page by page).
 */
export async function verifyAuditRows(
  rows: AsyncIterable<AuditRow>,
  options: VerifyOptions = {},
): Promise<AuditVerifyReport> {
  const v = chainVerifier(options);
  for await (const row of rows) v.push(row);
  return v.finish();
}

/** Options of {@link verifyAuditLog}. */
export interface VerifyOptions {
  checkpoint?: AuditCheckpoint;
  publicKey?: KeyObject;
  onProgress?: (count: number) => void;
}

function chainVerifier(options: VerifyOptions): { push(row: AuditRow): void; finish(): AuditVerifyReport } {
  const problems: AuditProblem[] = [];
  const report = (seq: number, kind: AuditProblemKind, message: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ seq, kind, message });
  };
  const cp = options.checkpoint;
  if (cp && (!options.publicKey || !checkpointSignatureValid(cp, options.publicKey))) {
    report(cp.seq, 'bad_checkpoint_signature', 'the checkpoint signature does not verify with this key');
  }
  let expected = 1;
  let prev = GENESIS_HASH;
  let count = 0;
  let headSeq = 0;
  let countAtCheckpoint = 0;
  let checkpointMatched: boolean | undefined = cp ? false : undefined;
  const push = (row: AuditRow): void => {
    count++;
    if (count % 10_000 === 0) options.onProgress?.(count);
    if (row.seq !== expected) report(row.seq, 'seq_gap', `expected seq ${expected}, found ${row.seq}`);
    if (row.prev_hash !== prev) report(row.seq, 'chain_break', 'prevHash is not the previous record’s hash');
    let event: AuditEventBody | undefined;
    try {
      event = JSON.parse(row.event) as AuditEventBody;
    } catch {
      report(row.seq, 'malformed', 'the stored event is not JSON');
    }
    if (event) {
      let hash: string | undefined;
      try {
        hash = recordHash(row.seq, row.prev_hash, event);
      } catch {
        report(row.seq, 'malformed', 'the stored event cannot be canonicalized');
      }
      if (hash !== undefined && hash !== row.hash)
        report(row.seq, 'hash_mismatch', 'the record does not match its hash');
      const cols = indexColumns(event);
      const same =
        cols.time === row.time &&
        cols.type === row.type &&
        cols.userId === row.user_id &&
        cols.action === row.action &&
        cols.decision === row.decision &&
        cols.policyVersion === row.policy_version &&
        cols.policies === row.policies;
      if (!same) report(row.seq, 'index_mismatch', 'the query columns disagree with the hashed event');
    }
    if (cp && row.seq <= cp.seq) countAtCheckpoint++;
    if (cp && row.seq === cp.seq) {
      checkpointMatched = row.hash === cp.headHash;
      if (!checkpointMatched)
        report(row.seq, 'checkpoint_mismatch', 'the record at the checkpoint has another hash');
    }
    prev = row.hash;
    expected = row.seq + 1;
    headSeq = row.seq;
  };
  const finish = (): AuditVerifyReport => {
    if (cp && cp.seq > 0 && headSeq < cp.seq) {
      report(headSeq, 'truncated', `the log ends at seq ${headSeq}; the checkpoint saw seq ${cp.seq}`);
    } else if (cp && checkpointMatched && countAtCheckpoint !== cp.count) {
      report(
        cp.seq,
        'checkpoint_mismatch',
        `${countAtCheckpoint} records up to the checkpoint, signed ${cp.count}`,
      );
    }
    if (cp && cp.seq === 0) checkpointMatched = true;
    const result: AuditVerifyReport = {
      ok: problems.length === 0,
      count,
      headSeq,
      headHash: count > 0 ? prev : '',
      problems,
    };
    if (checkpointMatched !== undefined) result.checkpointMatched = checkpointMatched;
    return result;
  };
  return { push, finish };
}
