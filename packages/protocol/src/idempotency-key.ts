const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

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
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  let time = Math.floor(now);
  for (let i = 5; i >= 0; i--) {
    bytes[i] = time % 256;
    time = Math.floor(time / 256);
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x70; // version 7
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // variant 10 (RFC 9562)
  let key = '';
  for (let i = 0; i < 16; i++) {
    key += HEX[bytes[i]!];
    if (i === 3 || i === 5 || i === 7 || i === 9) key += '-';
  }
  return key;
}
