/**
 * The size guard of docs/design/README.md's budget: the standalone challenge bundle, built from the current
 * sources exactly as `pnpm build` builds it, is at most 15 KiB min+gzip (`gzip -9`). `pnpm bench`
 * reports the same number in docs/benchmarks.md; this test fails the suite when it goes over.
 */
import { describe, expect, it } from 'vitest';
import { CHALLENGE_BUDGET, gzipSize } from '../../bench/size-budget.mjs';
import { buildStandalone } from './build-standalone.js';

describe('standalone challenge bundle size', () => {
  it('step-up-challenge.min.js is at most 15 KiB (15 360 B) min+gzip', async () => {
    const { code } = await buildStandalone('step-up-challenge');
    const size = gzipSize(code);
    console.info(`step-up-challenge.min.js: ${code.length} B minified, ${size} B min+gzip -9`);
    expect(CHALLENGE_BUDGET).toBe(15_360);
    expect(size).toBeLessThanOrEqual(CHALLENGE_BUDGET);
  }, 90_000);
});
