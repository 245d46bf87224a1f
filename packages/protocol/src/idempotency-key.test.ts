import { afterEach, describe, expect, it, vi } from 'vitest';
import { newIdempotencyKey } from './idempotency-key.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const timeOf = (key: string) => Number.parseInt(key.replaceAll('-', '').slice(0, 12), 16);

describe('newIdempotencyKey', () => {
  it('is a UUID version 7 (RFC 9562) that starts with the time in milliseconds', () => {
    const now = Date.UTC(2026, 11, 7, 1, 2, 3, 456);
    const key = newIdempotencyKey(now);
    expect(key).toMatch(UUID_V7);
    expect(timeOf(key)).toBe(now);
    // RFC 9562 Appendix A.6's timestamp, 0x017F22E279B0 (2022-02-22T19:22:22Z), in the first 48 bits.
    expect(newIdempotencyKey(0x017f22e279b0).slice(0, 13)).toBe('017f22e2-79b0');
  });

  it('orders keys of different milliseconds by time and never repeats', () => {
    const base = Date.now();
    const keys = Array.from({ length: 10_000 }, (_, i) => newIdempotencyKey(base + Math.floor(i / 100)));
    expect(new Set(keys).size).toBe(keys.length);
    for (let i = 100; i < keys.length; i += 100) expect(keys[i]! > keys[i - 1]!).toBe(true);
    for (const key of keys) expect(key).toMatch(UUID_V7);
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('draws its random bytes from Web Crypto in blocks, each byte for one key only', () => {
    const draw = vi.spyOn(globalThis.crypto, 'getRandomValues');
    const keys = Array.from({ length: 1_000 }, () => newIdempotencyKey(0));
    // 1,000 keys of 10 random bytes in blocks of 256 keys: at most 4 draws (5 if a block was begun).
    expect(draw.mock.calls.length).toBeGreaterThanOrEqual(3);
    expect(draw.mock.calls.length).toBeLessThanOrEqual(5);
    // Same millisecond, so all that differs is the random part: never repeated, never the zeroes a
    // used byte is overwritten with.
    expect(new Set(keys).size).toBe(keys.length);
    const randomHex = keys.map((k) => k.replaceAll('-', '').slice(12));
    expect(randomHex.filter((h) => /^70{3}[89ab]0{15}$/.test(h))).toEqual([]);
    // Each of the 74 random bits varies across the keys (none stuck at 0 or 1).
    const bits = (h: string) =>
      [...h].flatMap((c) => [...Number.parseInt(c, 16).toString(2).padStart(4, '0')].map(Number));
    const ones = new Array<number>(80).fill(0);
    for (const h of randomHex) {
      bits(h).forEach((b, i) => {
        ones[i]! += b;
      });
    }
    const fixed = new Set([0, 1, 2, 3, 16, 17]); // version 0111, variant 10
    for (const [i, count] of ones.entries()) {
      if (fixed.has(i)) continue;
      expect(count, `bit ${i}`).toBeGreaterThan(350);
      expect(count, `bit ${i}`).toBeLessThan(650);
    }
  });
});
