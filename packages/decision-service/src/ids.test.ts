import { describe, expect, it } from 'vitest';
import { randomId, timeOrderedId } from './ids.js';

describe('randomId', () => {
  it('gives base64url ids of the requested size, never repeating', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const id = randomId(16);
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(5000);
    expect(randomId(20)).toHaveLength(27);
    expect(randomId(5000)).toHaveLength(6667);
  });
});

describe('timeOrderedId', () => {
  it('sorts by creation time as text and keeps the random part whole', () => {
    const ids = [1, 15, 16, 255, 1_700_000_000_000, 1_800_000_000_000, 2 ** 47].map((t) =>
      timeOrderedId(16, t),
    );
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{12}[A-Za-z0-9_-]{22}$/);
    expect(timeOrderedId(20, 1)).toHaveLength(12 + 27);
    const sameMs = new Set(Array.from({ length: 1000 }, () => timeOrderedId(16, 5)));
    expect(sameMs.size).toBe(1000);
  });
});
