const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Random bytes one key takes from the pool: bytes 6–15 of the UUID (the first 6 are the time). */
const RANDOM_PER_KEY = 10;
/** Keys per refill: one Web Crypto call for this many keys. */
const KEYS_PER_FILL = 256;

let pool = new Uint8Array(0);
let next = 0;

/**
 * The offset of {@link RANDOM_PER_KEY} fresh random bytes in `pool`. Each byte is used for one key
 * and then zeroed. One `getRandomValues` call costs about 5 µs in Node whatever its size up to a few
 * kilobytes (it goes through OpenSSL's generator each time), about as much as the rest of a guard's
 * own work per request, so the bytes are drawn for {@link KEYS_PER_FILL} keys at once.
 */
function takeRandom(): number {
  if (next + RANDOM_PER_KEY > pool.length) {
    pool = globalThis.crypto.getRandomValues(new Uint8Array(RANDOM_PER_KEY * KEYS_PER_FILL));
    next = 0;
  }
  const at = next;
  next += RANDOM_PER_KEY;
  return at;
}

/**
 * A new `Idempotency-Key`: a UUID version 7 (RFC 9562 §5.7), 48 bits of Unix time in milliseconds
 * followed by 74 random bits (Web Crypto, so it runs in browsers and Node alike). Unique like a
 * random UUID, and time-ordered: the service keeps every key in an index, and keys that arrive in
 * time order are added at its end (one page for many) instead of at random places (a page each).
 *
 * @example
 * newIdempotencyKey(); // '019af5c2-7d10-7c3e-9a41-5be0f1d2c3a4'
 */
export function newIdempotencyKey(now: number = Date.now()): string {
  let key = '';
  let time = Math.floor(now);
  const high = Math.floor(time / 0x1000000); // the first 24 of the 48 bits
  time -= high * 0x1000000;
  key += HEX[(high >>> 16) & 0xff]! + HEX[(high >>> 8) & 0xff]! + HEX[high & 0xff]!;
  key += HEX[(time >>> 16) & 0xff]!;
  key += `-${HEX[(time >>> 8) & 0xff]!}${HEX[time & 0xff]!}-`;
  const at = takeRandom();
  const r = pool;
  key += HEX[(r[at]! & 0x0f) | 0x70]! + HEX[r[at + 1]!]!; // version 7
  key += `-${HEX[(r[at + 2]! & 0x3f) | 0x80]!}${HEX[r[at + 3]!]!}-`; // variant 10 (RFC 9562)
  for (let i = at + 4; i < at + RANDOM_PER_KEY; i++) key += HEX[r[i]!]!;
  r.fill(0, at, at + RANDOM_PER_KEY);
  return key;
}
