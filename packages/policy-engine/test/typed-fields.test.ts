import { describe, expect, it } from 'vitest';
import { compilePolicy, type PolicyDocument, PolicyError, parsePolicyDocument } from '../src/index.js';
import { compileYaml, history, input, request } from './fixtures.js';

/** The issue 22 document: a transfer above 500 steps up, everything else runs. */
const TRANSFER = `
policies:
  - id: fresh-check-for-transfers
    when: { action: payments.transfer, transaction.amount: { gt: 500 } }
    require: { level: aal1, maxAge: 0, bindTransaction: true }
default: allow
`;

/** The problems of a document that does not compile. */
function issuesOf(yaml: string): Array<{ path: string; message: string; line?: number }> {
  try {
    parsePolicyDocument(yaml, { filename: 'p.yaml' });
  } catch (error) {
    if (error instanceof PolicyError) return [...error.issues];
    throw error;
  }
  return [];
}

describe('typed fields: inference and declarations (docs/policies.md "Typed fields")', () => {
  it('infers one type per field from its operators, over the whole document', () => {
    const p = compileYaml(`
ipLists: { office: [192.0.2.0/24] }
policies:
  - { id: a, when: { transaction.amount: { gt: 500 }, transaction.currency: [EUR, USD] }, effect: deny }
  - { id: b, when: { transaction.amount: { between: [1, 9] }, resource.attributes.owner: { glob: "u-*" } }, effect: deny }
  - { id: c, when: { transaction.express: true, transaction.note: { exists: true } }, effect: deny }
  - { id: d, when: { transaction.payee.ip: { ipList: office }, subject.roles: admin }, effect: deny }
  - { id: e, when: { transaction.level: { in: [1, 2] }, context.ip: { cidr: 10.0.0.0/8 } }, effect: deny }
default: allow
`);
    expect(p.fields).toEqual({
      'transaction.amount': { type: 'number', policies: ['a', 'b'], declared: false, reportOnly: false },
      'transaction.currency': { type: 'string', policies: ['a'], declared: false, reportOnly: false },
      'resource.attributes.owner': { type: 'string', policies: ['b'], declared: false, reportOnly: false },
      'transaction.express': { type: 'boolean', policies: ['c'], declared: false, reportOnly: false },
      'transaction.payee.ip': { type: 'ip', policies: ['d'], declared: false, reportOnly: false },
      // The request schema types subject.roles (a list of strings) and context.ip (a string, narrowed to ip).
      'subject.roles': { type: 'string[]', policies: ['d'], declared: false, reportOnly: false },
      'transaction.level': { type: 'number', policies: ['e'], declared: false, reportOnly: false },
      'context.ip': { type: 'ip', policies: ['e'], declared: false, reportOnly: false },
    });
    // `exists` gives no type, and risk signals are not typed here.
    expect(p.fields['transaction.note']).toBeUndefined();
  });

  it('`fields` declares types, lists included; a declared field is checked even when no policy reads it', () => {
    const p = compileYaml(`
fields:
  transaction.amount: number
  transaction.tags: string[]
  transaction.reference: string
policies:
  - { id: tagged, when: { transaction.tags: [vip, staff] }, effect: deny }
  - { id: big, when: { transaction.amount: { gt: 500 } }, require: { level: aal1, maxAge: 0 } }
default: allow
`);
    expect(p.fields['transaction.tags']).toEqual({
      type: 'string[]',
      policies: ['tagged'],
      declared: true,
      reportOnly: false,
    });
    expect(p.fields['transaction.reference']).toEqual({
      type: 'string',
      policies: [],
      declared: true,
      reportOnly: false,
    });
    const run = (transaction: Record<string, unknown>) =>
      p.evaluate(input(request('orders.read', { transaction })));
    // A list field keeps "some element equals".
    expect(run({ tags: ['x', 'vip'], amount: 1 }).decision).toBe('deny');
    expect(run({ tags: [], amount: 1 }).decision).toBe('allow');
    expect(run({ tags: 'vip', amount: 1 }).invalid).toEqual({
      field: 'transaction.tags',
      policyId: 'tagged',
      expected: 'string[]',
      actual: 'string',
    });
    expect(run({ tags: ['vip', 3], amount: 1 }).invalid?.actual).toBe('array with a number element');
    expect(run({ tags: [], amount: 1, reference: 42 }).invalid).toEqual({
      field: 'transaction.reference',
      expected: 'string',
      actual: 'number',
    });
  });

  it('a field used with two types is invalid_policy, located, and every such problem is listed', () => {
    const issues = issuesOf(`fields:
  transaction.payee: string
policies:
  - id: a
    when: { transaction.amount: { gt: 500 } }
    effect: deny
  - id: b
    when: { transaction.amount: "500" }
    effect: deny
  - id: c
    when: { transaction.flag: { in: [true, "yes"] } }
    effect: deny
  - id: d
    when: { transaction.payee: { gt: 5 } }
    effect: deny
  - id: e
    when: { subject.authTime: { glob: "17*" } }
    effect: deny
default: allow
`);
    expect(issues).toEqual([
      expect.objectContaining({
        path: '/policies/1/when/transaction.amount',
        line: 8,
        message: expect.stringMatching(
          /two types: a string here, but it is compared as a number at \/policies\/0/,
        ),
      }),
      expect.objectContaining({ path: '/policies/2/when/transaction.flag/in' }),
      expect.objectContaining({
        path: '/policies/3/when/transaction.payee/gt',
        message: expect.stringMatching(/declared string at \/fields\/transaction.payee/),
      }),
      expect.objectContaining({
        path: '/policies/4/when/subject.authTime/glob',
        message: expect.stringMatching(/number in the decision request/),
      }),
    ]);
  });

  it('declarations are checked against the request schema, the uses and the field paths', () => {
    expect(
      issuesOf(`fields:
  subject.authTime: string
  context.ip: ip
  risk.score: number
  transaction.kind: number
policies:
  - { id: a, when: { transaction.kind: [card] }, effect: deny }
default: allow
`),
    ).toEqual([
      expect.objectContaining({
        path: '/fields/subject.authTime',
        message: expect.stringMatching(/is a number in the decision request/),
      }),
      expect.objectContaining({
        path: '/fields/risk.score',
        message: expect.stringMatching(/not a request field/),
      }),
      expect.objectContaining({ path: '/policies/0/when/transaction.kind' }),
    ]);
    expect(issuesOf('fields: { transaction.amount: decimal }\npolicies: []\ndefault: allow\n')).toEqual([
      expect.objectContaining({
        path: '/fields/transaction.amount',
        message: expect.stringMatching(/must be one of/),
      }),
    ]);
  });

  it('changing a declaration or an onMissing changes the version', () => {
    const base: PolicyDocument = {
      policies: [{ id: 'a', when: { 'transaction.amount': { gt: 5 } }, effect: 'deny' }],
      default: 'allow',
    };
    const v = compilePolicy(base).version;
    expect(compilePolicy({ ...base, fields: { 'transaction.amount': 'number' } }).version).not.toBe(v);
    expect(
      compilePolicy({ ...base, policies: [{ ...base.policies[0]!, onMissing: 'skip' }] }).version,
    ).not.toBe(v);
    // The default written out is the same document.
    expect(compilePolicy({ ...base, policies: [{ ...base.policies[0]!, onMissing: 'deny' }] }).version).toBe(
      v,
    );
  });
});

describe('a present field of the wrong type makes the request invalid (issue 22)', () => {
  const policy = compileYaml(TRANSFER);
  const transfer = (amount: unknown, action = 'payments.transfer') =>
    policy.evaluate(input(request(action, { transaction: { amount, currency: 'EUR' } })));

  it.each([
    ['"900 EUR"', '900 EUR', 'string'],
    ['"1e9"', '1e9', 'string'],
    ['null (NaN on the wire)', null, 'null'],
    ['NaN', Number.NaN, 'non-finite number'],
    ['Infinity', Number.POSITIVE_INFINITY, 'non-finite number'],
    ['[]', [], 'array'],
    ['[900]', [900], 'array'],
    ['{}', {}, 'object'],
    ['true', true, 'boolean'],
  ])('amount %s: deny with invalid_field, never "did not match"', (_, amount, actual) => {
    const v = transfer(amount);
    expect(v.decision).toBe('deny');
    expect(v.invalid).toEqual({
      field: 'transaction.amount',
      policyId: 'fresh-check-for-transfers',
      expected: 'number',
      actual,
    });
    expect(v.reasons).toEqual([
      expect.objectContaining({
        policyId: 'fresh-check-for-transfers',
        code: 'invalid_field',
        detail: expect.stringContaining('transaction.amount must be a number'),
      }),
    ]);
  });

  it('whatever the action: the check runs on every request, not only where the policy applies', () => {
    expect(transfer('900 EUR', 'account.read').invalid?.field).toBe('transaction.amount');
    expect(transfer(900, 'account.read').decision).toBe('allow');
    expect(transfer(900).decision).toBe('step_up');
  });

  it('a step on the way that is not an object is the wrong type too', () => {
    const p = compileYaml(
      'policies:\n  - { id: kp, when: { transaction.payee.country: [KP, IR] }, effect: deny }\ndefault: allow\n',
    );
    const run = (transaction: unknown) =>
      p.evaluate(input(request('payments.transfer', { transaction: transaction as never })));
    expect(run({ payee: 'ACME' }).invalid).toEqual({
      field: 'transaction.payee.country',
      policyId: 'kp',
      expected: 'string',
      actual: 'string at transaction.payee',
    });
    expect(run({ payee: null }).invalid?.actual).toBe('null at transaction.payee');
    expect(run({ payee: { country: 'FR' } }).decision).toBe('allow');
  });

  it('ip fields hold an IP address', () => {
    const p = compileYaml(
      'policies:\n  - { id: tor, when: { context.ip: { cidr: 185.220.100.0/22 } }, effect: deny }\ndefault: allow\n',
    );
    const run = (ip: unknown) => p.evaluate(input(request('x', { context: { ip: ip as string } })));
    expect(run('185.220.101.9').decision).toBe('deny');
    expect(run('198.51.100.7').decision).toBe('allow');
    expect(run('2001:db8::1').decision).toBe('allow');
    expect(run('garbage').invalid).toEqual({
      field: 'context.ip',
      policyId: 'tor',
      expected: 'ip',
      actual: 'string that is not an IP address',
    });
    expect(run('01.2.3.4').invalid?.field).toBe('context.ip');
  });

  it('fields only report-only policies read: the problem is reported by them, the request is not refused', () => {
    const p = compileYaml(`
policies:
  - { id: transfer, when: { transaction.amount: { gt: 500 } }, require: { level: aal1, maxAge: 0 } }
  - { id: watch-owner, mode: report-only, when: { resource.attributes.owner: { glob: "u-*" } }, effect: deny }
default: allow
`);
    expect(p.fields['resource.attributes.owner']?.reportOnly).toBe(true);
    const v = p.evaluate(
      input(request('x', { transaction: { amount: 900 }, resource: { attributes: { owner: 7 } } })),
    );
    expect(v.decision).toBe('step_up');
    expect(v.invalid).toBeUndefined();
    expect(v.reportOnly).toEqual([
      {
        policyId: 'watch-owner',
        decision: 'deny',
        reasons: [
          expect.objectContaining({
            code: 'invalid_field',
            values: { field: 'resource.attributes.owner', expected: 'string', actual: 'number' },
          }),
        ],
      },
    ]);
  });

  it('the generated check and the interpreter agree', () => {
    const interpreted = compilePolicy(parsePolicyDocument(TRANSFER), { codegen: false });
    for (const amount of ['900 EUR', null, [], {}, 900, 5, undefined, Number.NaN]) {
      const x = input(request('payments.transfer', { transaction: { amount } }), history());
      expect(interpreted.evaluate(x)).toEqual(policy.evaluate(x));
    }
  });
});
