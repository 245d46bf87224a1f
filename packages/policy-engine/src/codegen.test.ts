import { describe, expect, it } from 'vitest';
import { generateMatcher } from './codegen.js';
import { compileCondition } from './condition.js';

describe('generateMatcher', () => {
  it('never splices document strings into the generated source', () => {
    const payload = "x'); globalThis.pwned = 1; ('";
    const ctx = { issues: [], lists: new Map() };
    const cond = compileCondition(
      {
        action: [payload, `${payload}.*`],
        [`transaction.${payload.replace(/\./g, '')}`]: payload,
        'resource.type': { in: [payload, 'b'] },
      },
      '/when',
      ctx,
    );
    const { source } = generateMatcher([cond]);
    expect(ctx.issues).toEqual([]);
    expect(source).not.toContain('pwned');
    expect(source).not.toMatch(/'x'/);
    expect(source).toMatch(/K\[\d+\]/);
  });
});
