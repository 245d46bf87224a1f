import { randomBytes } from 'node:crypto';

const POOL_BYTES = 4096;
let pool: Buffer = Buffer.alloc(0);
let offset = 0;

/**
 * `bytes` random bytes from the CSPRNG as base64url. Bytes are drawn from a pool refilled 4 KiB at
 * a time (each byte is used once), which avoids one `randomBytes` call per request.
 *
 * @example
 * randomId(16); // 22 characters, 128 bits
 */
export function randomId(bytes: number): string {
  if (bytes > POOL_BYTES) return randomBytes(bytes).toString('base64url');
  if (offset + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + bytes);
  // Wipe what was handed out, so the pool never holds an id that is in use.
  pool.fill(0, offset, offset + bytes);
  offset += bytes;
  return id;
}

/**
 * An id that sorts by creation time: the time in ms as 12 hex digits (sorts as text), then
 * `bytes` random bytes as base64url. The ids of rows written on every decision (decisions,
 * challenges) are primary keys: random ones land on a random B-tree page each, and every page
 * a commit touches is written to the WAL again; time-ordered ones append to the last page. The
 * random part keeps the id unguessable; the prefix only tells when it was made.
 *
 * @example
 * timeOrderedId(16); // '018f3a2b4c5dq1w2e3r4t5y6u7i8o9p0a1s2' (12 + 22 characters)
 */
export function timeOrderedId(bytes: number, now = Date.now()): string {
  return `${now.toString(16).padStart(12, '0')}${randomId(bytes)}`;
}

/** What every decision id starts with ({@link newDecisionId}). */
export const DECISION_ID_PREFIX = 'dec_';

/** A decision id: `dec_`, the time, and 128 random bits ({@link timeOrderedId}). */
export const newDecisionId = (now = Date.now()): string => `${DECISION_ID_PREFIX}${timeOrderedId(16, now)}`;

/**
 * The lowest decision id {@link newDecisionId} can make at `ms`: every decision made earlier has
 * a lower id, so a store deletes old decisions by a range of its primary key instead of a scan.
 *
 * @example
 * decisionIdFloor(0x18f3a2b4c5d); // 'dec_018f3a2b4c5d'
 */
export function decisionIdFloor(ms: number): string {
  return `${DECISION_ID_PREFIX}${Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0')}`;
}
