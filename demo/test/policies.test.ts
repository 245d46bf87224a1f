import { readFileSync } from 'node:fs';
import { compilePolicy, evaluateTests, parsePolicyDocument } from '@stepgate/policy-engine';
import { describe, expect, it } from 'vitest';

const read = (name: string) => readFileSync(new URL(`../${name}`, import.meta.url), 'utf8');

describe('demo/policies.yaml', () => {
  it('compiles, and every case of policies.test.yaml passes', () => {
    const compiled = compilePolicy(parsePolicyDocument(read('policies.yaml'), { filename: 'policies.yaml' }));
    const report = evaluateTests(compiled, read('policies.test.yaml'), { filename: 'policies.test.yaml' });
    expect(report.failed, JSON.stringify(report, null, 2)).toBe(0);
    expect(report.passed).toBeGreaterThanOrEqual(9);
  });
});
