import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUT_MS } from './defaults.js';

describe('defaults', () => {
  it('keeps the decision timeout to a few hundred milliseconds', () => {
    expect(DEFAULT_TIMEOUT_MS).toBeGreaterThanOrEqual(100);
    expect(DEFAULT_TIMEOUT_MS).toBeLessThanOrEqual(1000);
  });
});
