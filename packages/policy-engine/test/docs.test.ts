import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  compilePolicy,
  evaluateTests,
  POLICY_ERROR_CODES,
  PolicyError,
  parsePolicyDocument,
} from '../src/index.js';
import { compileYaml } from './fixtures.js';

const markdown = readFileSync(new URL('../../../docs/policies.md', import.meta.url), 'utf8');
const blocks = [...markdown.matchAll(/```yaml (policy|tests)\n([\s\S]*?)```/g)].map((m) => ({
  kind: m[1],
  text: m[2] as string,
}));

describe('docs/policies.md', () => {
  it('has example documents, each followed by its tests', () => {
    expect(blocks.filter((b) => b.kind === 'policy').length).toBeGreaterThanOrEqual(2);
  });

  it.each(blocks.flatMap((b, i) => (b.kind === 'tests' ? [[i]] : [])))(
    'example tests in block %i pass',
    (i) => {
      const policyBlock = blocks.slice(0, i).findLast((b) => b.kind === 'policy');
      const compiled = compilePolicy(
        parsePolicyDocument(policyBlock?.text ?? '', { filename: 'policies.md' }),
      );
      const report = evaluateTests(compiled, blocks[i]?.text ?? '', { filename: 'policies.md' });
      expect(report.results.filter((r) => !r.passed)).toEqual([]);
      expect(report.total).toBeGreaterThan(3);
    },
  );

  it('the error table lists exactly POLICY_ERROR_CODES', () => {
    const section = markdown.slice(markdown.indexOf('## Errors'), markdown.indexOf('## Examples'));
    const codes = [...section.matchAll(/^\| `([a-z_]+)` *\|/gm)].map((m) => m[1]);
    expect(codes.sort()).toEqual(Object.keys(POLICY_ERROR_CODES).sort());
  });
});

describe('evaluateTests', () => {
  const policy = compileYaml(
    'policies:\n  - { id: big, when: { transaction.amount: { gt: 10 } }, effect: deny }\ndefault: allow\n',
  );
  it('reports failing cases with what differed', () => {
    const report = evaluateTests(
      policy,
      `tests:
  - name: passes
    input: { request: { subject: { id: u }, action: { name: a }, transaction: { amount: 50 } } }
    expect: { decision: deny, policies: [big] }
  - name: fails
    input: { request: { subject: { id: u }, action: { name: a }, transaction: { amount: 5 } } }
    expect: { decision: deny, level: aal2, policies: [big] }
`,
    );
    expect(report).toMatchObject({ passed: 1, failed: 1, total: 2 });
    expect(report.results[1]?.failures).toEqual([
      'decision: expected deny, got allow',
      'level: expected aal2, got none',
      'policies: expected [big], got []',
    ]);
  });

  it('rejects a malformed test file with a located error', () => {
    const text = 'tests:\n  - name: x\n    input: {}\n    expect: { decision: maybe }\n';
    expect(() => evaluateTests(policy, text, { filename: 't.yaml' })).toThrowError(
      expect.objectContaining({
        code: 'invalid_policy_tests',
        file: 't.yaml',
        line: 4,
        path: '/tests/0/expect',
      }),
    );
    expect(() => evaluateTests(policy, 'tests: [', { filename: 't.yaml' })).toThrow(PolicyError);
  });
});
