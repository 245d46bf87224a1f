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
