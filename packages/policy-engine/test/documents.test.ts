import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePolicy, PolicyError, parsePolicyDocument, policySchema } from '../src/index.js';

/** Parses and returns the PolicyError thrown. */
function errorOf(text: string): PolicyError {
  try {
    parsePolicyDocument(text, { filename: 'bad.yaml' });
  } catch (e) {
    if (e instanceof PolicyError) return e;
    throw e;
  }
  throw new Error('no error thrown');
}

const base = (policies: string, extra = '') => `${extra}policies:\n${policies}default: allow\n`;

describe('malformed documents are rejected with located errors', () => {
  it.each([
    ['YAML syntax', 'policies: [\ndefault: allow\n', '', 2, /.+/],
    ['a duplicate key', 'default: allow\ndefault: deny\npolicies: []\n', '', 2, /unique|duplicate/i],
    [
      'an unknown property',
      base('  - id: a\n    effect: deny\n    wen: {}\n'),
      '/policies/0/wen',
      4,
      /not an allowed property/,
    ],
    ['a bad effect', base('  - id: a\n    effect: maybe\n'), '/policies/0/effect', 3, /must be one of/],
    [
      'an unknown method',
      base('  - id: a\n    require: { level: aal2, methods: [carrier_pigeon] }\n'),
      '/policies/0/require/methods/0',
      3,
      /must be one of/,
    ],
    [
      'a bad level',
      base('  - id: a\n    require: { level: aal4 }\n'),
      '/policies/0/require/level',
      3,
      /must be one of/,
    ],
    [
      'a bad duration',
      base('  - id: a\n    require: { level: aal2, maxAge: 5 minutes }\n'),
      '/policies/0/require/maxAge',
      3,
      /must/,
    ],
    [
      'a duplicate id',
      base('  - id: a\n    effect: deny\n  - id: a\n    effect: allow\n'),
      '/policies/1/id',
      4,
      /duplicate policy id "a"/,
    ],
    [
      'a bad CIDR in a list',
      base('  - id: a\n    effect: deny\n', 'ipLists:\n  tor: [10.0.0.0/8, 10.0.0.0/33]\n'),
      '/ipLists/tor/1',
      2,
      /not a valid CIDR/,
    ],
    [
      'a bad CIDR in a condition',
      base('  - id: a\n    effect: deny\n    when:\n      context.ip: { cidr: 300.1.1.1/8 }\n'),
      '/policies/0/when/context.ip/cidr',
      5,
      /not a valid CIDR/,
    ],
    [
      'an unknown IP list',
      base('  - id: a\n    effect: deny\n    when: { context.ip: { ipList: nope } }\n'),
      '/policies/0/when/context.ip/ipList',
      4,
      /unknown IP list/,
    ],
    [
      'an unknown field',
      base('  - id: a\n    effect: deny\n    when: { user.name: bob }\n'),
      '/policies/0/when/user.name',
      4,
      /unknown field/,
    ],
    [
      'an unknown signal',
      base('  - id: a\n    effect: deny\n    when: { risk.vibes: bad }\n'),
      '/policies/0/when/risk.vibes',
      4,
      /unknown risk signal/,
    ],
    [
      'an unknown operator',
      base('  - id: a\n    effect: deny\n    when: { transaction.amount: { greater: 5 } }\n'),
      '/policies/0/when/transaction.amount/greater',
      4,
      /unknown operator/,
    ],
    [
      'a bad duration operand',
      base('  - id: a\n    effect: deny\n    when: { risk.session.ageSeconds: { gt: 5 lightyears } }\n'),
      '/policies/0/when/risk.session.ageSeconds/gt',
      4,
      /duration/,
    ],
    [
      'an inverted range',
      base('  - id: a\n    effect: deny\n    when: { transaction.amount: { between: [9, 1] } }\n'),
      '/policies/0/when/transaction.amount/between',
      4,
      /above/,
    ],
    [
      'require with effect deny',
      base('  - id: a\n    effect: deny\n    require: { level: aal2 }\n'),
      '/policies/0/effect',
      3,
      /implies step_up/,
    ],
    [
      'no effect and no require',
      base('  - id: a\n    when: { action: x }\n'),
      '/policies/0',
      2,
      /needs "effect/,
    ],
    [
      'thresholds out of order',
      base('  - id: a\n    effect: deny\n', 'risk: { thresholds: { medium: 70, high: 50 } }\n'),
      '/risk/thresholds',
      1,
      /above the high/,
    ],
  ])('%s', (_name, text, path, line, message) => {
    const e = errorOf(text);
    expect(e.code).toBe('invalid_policy');
    expect(e.file).toBe('bad.yaml');
    expect(e.path).toBe(path);
    expect(e.line).toBe(line);
    expect(e.column).toBeGreaterThan(0);
    expect(e.message).toMatch(message);
    expect(e.message.startsWith(`bad.yaml:${line}:`)).toBe(true);
  });

  it('accepts JSON as well as YAML', () => {
    const doc = parsePolicyDocument(
      '{"policies":[{"id":"a","effect":"deny","when":{"action":"x"}}],"default":"allow"}',
    );
    expect(compilePolicy(doc).policyIds).toEqual(['a']);
  });

  it('compilePolicy validates objects too (without lines)', () => {
    expect(() =>
      compilePolicy({
        policies: [{ id: 'a', effect: 'deny', when: { 'transaction.amount': { gt: 'x' } } }],
        default: 'allow',
      }),
    ).toThrowError(
      expect.objectContaining({ code: 'invalid_policy', path: '/policies/0/when/transaction.amount/gt' }),
    );
  });

  it('docs/policy.schema.json is the exported policySchema', () => {
    const published = JSON.parse(
      readFileSync(new URL('../../../docs/policy.schema.json', import.meta.url), 'utf8'),
    );
    expect(published).toEqual(policySchema);
  });
});

describe('reserved names', () => {
  it('rejects __proto__ as an IP list name', () => {
    const e = errorOf('ipLists:\n  __proto__: [10.0.0.0/8]\npolicies: []\ndefault: allow\n');
    expect(e.path).toBe('/ipLists/__proto__');
    expect(e.message).toMatch(/reserved/);
  });
});
