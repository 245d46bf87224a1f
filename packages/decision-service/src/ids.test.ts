import { describe, expect, it } from 'vitest';
import { decisionIdFloor, newDecisionId, randomId, timeOrderedId } from './ids.js';

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

describe('decisionIdFloor', () => {
  it('is above every decision id made before its time and below every one made at or after it', () => {
    for (const t of [0, 1, 255, 1_800_000_000_000]) {
      const floor = decisionIdFloor(t);
      for (let i = 0; i < 200; i++) {
        expect(newDecisionId(t) > floor).toBe(true);
        expect(newDecisionId(t + 1 + i) > floor).toBe(true);
        if (t > 0) expect(newDecisionId(t - 1) < floor).toBe(true);
      }
    }
    expect(decisionIdFloor(0x18f3a2b4c5d)).toBe('dec_018f3a2b4c5d');
    expect(decisionIdFloor(-5)).toBe('dec_000000000000');
  });
});
