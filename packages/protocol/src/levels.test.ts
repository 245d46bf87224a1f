import { describe, expect, it } from 'vitest';
import {
  AMR_VALUES,
  acrFromLevel,
  compareLevels,
  DEFAULT_ACR_VALUES,
  isLevel,
  isMethod,
  LEVELS,
  levelAtLeast,
  levelFromAcr,
  maxLevel,
} from './levels.js';

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

describe('level, method and amr guards', () => {
  it('recognises only the exact level and method names', () => {
    expect(isLevel('aal2')).toBe(true);
    expect(isLevel('AAL2')).toBe(false);
    expect(isLevel(2)).toBe(false);
    expect(isMethod('webauthn')).toBe(true);
    expect(isMethod('sms')).toBe(false);
    expect(isMethod(undefined)).toBe(false);
  });

  it('maps levels to configured acr values and back', () => {
    const custom = { aal1: 'urn:idp:bronze', aal2: 'urn:idp:silver', aal3: 'urn:idp:gold' };
    for (const level of LEVELS) {
      expect(levelFromAcr(acrFromLevel(level))).toBe(level);
      expect(levelFromAcr(acrFromLevel(level, custom), custom)).toBe(level);
    }
    expect(levelFromAcr(undefined)).toBeUndefined();
    expect(levelFromAcr('urn:stepgate:aal2', custom)).toBeUndefined();
  });

  it('S3: never emits fpt or face as amr (Stepgate cannot know the gesture)', () => {
    expect(AMR_VALUES).not.toContain('fpt');
    expect(AMR_VALUES).not.toContain('face');
    expect(AMR_VALUES).toContain('mfa');
  });
});
