import { describe, expect, it } from 'vitest';
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
});
