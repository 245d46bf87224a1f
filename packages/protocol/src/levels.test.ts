import { describe, expect, it } from 'vitest';
import { compareLevels, DEFAULT_ACR_VALUES, levelAtLeast, levelFromAcr, maxLevel } from './levels.js';

describe('levels', () => {
  it('orders aal1 < aal2 < aal3', () => {
    expect(compareLevels('aal1', 'aal2')).toBeLessThan(0);
    expect(compareLevels('aal3', 'aal2')).toBeGreaterThan(0);
    expect(levelAtLeast('aal2', 'aal2')).toBe(true);
    expect(levelAtLeast('aal1', 'aal2')).toBe(false);
    expect(maxLevel('aal1', 'aal3')).toBe('aal3');
  });

  it('maps configured and bare acr values to levels', () => {
    expect(levelFromAcr(DEFAULT_ACR_VALUES.aal2)).toBe('aal2');
    expect(levelFromAcr('aal3')).toBe('aal3');
    expect(levelFromAcr('urn:example:gold', { aal1: 'a', aal2: 'urn:example:gold', aal3: 'c' })).toBe('aal2');
    expect(levelFromAcr('urn:unknown')).toBeUndefined();
  });
});
