import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy, parsePolicyDocument } from '../src/index.js';
import { compileYaml, history, input, NOW, request } from './fixtures.js';

/** Compiles one deny policy with `when` and tells whether a request matches it. */
function matcher(when: string, lists = '') {
  const p = compileYaml(
    `${lists}\npolicies:\n  - id: p\n    when: ${when}\n    effect: deny\ndefault: allow\n`,
  );
  return (over: Parameters<typeof request>[1] = {}, action = 'payments.transfer', h = history()) =>
    p.evaluate(input(request(action, over), h)).decision === 'deny';
}

describe('conditions (docs/policies.md "Conditions")', () => {
  it('equality, and a bare list means in', () => {
    const eq = matcher('{ resource.type: account }');
    expect(eq({ resource: { type: 'account' } })).toBe(true);
    expect(eq({ resource: { type: 'card' } })).toBe(false);
    const list = matcher('{ resource.type: [account, card] }');
    expect(list({ resource: { type: 'card' } })).toBe(true);
    expect(list({ resource: { type: 'loan' } })).toBe(false);
    const inOp = matcher('{ transaction.currency: { in: [EUR, USD] } }');
    expect(inOp({ transaction: { currency: 'USD' } })).toBe(true);
    expect(inOp({ transaction: { currency: 'GBP' } })).toBe(false);
  });

  it('types are not coerced: "500" is not 500, it is an invalid request (issue 22)', () => {
    const p = compileYaml(
      'policies:\n  - { id: p, when: { transaction.amount: { gt: 100 } }, require: { level: aal1, maxAge: 0 } }\ndefault: allow\n',
    );
    const at = (amount: unknown) => p.evaluate(input(request('x', { transaction: { amount } })));
    expect(at(500).decision).toBe('step_up');
    expect(at('500')).toMatchObject({
      decision: 'deny',
      invalid: { field: 'transaction.amount', policyId: 'p', expected: 'number', actual: 'string' },
    });
    expect(matcher('{ transaction.flag: true }')({ transaction: { flag: 'true' } })).toBe(true);
  });

  it('gt, gte, lt, lte and between (inclusive)', () => {
    const cases: Array<[string, number, boolean]> = [
      ['{ gt: 10 }', 10, false],
      ['{ gte: 10 }', 10, true],
      ['{ lt: 10 }', 10, false],
      ['{ lte: 10 }', 10, true],
      ['{ between: [10, 20] }', 20, true],
      ['{ between: [10, 20] }', 21, false],
      ['{ gt: 10, lt: 20 }', 15, true],
      ['{ gt: 10, lt: 20 }', 25, false],
    ];
    for (const [op, amount, expected] of cases) {
      expect(matcher(`{ transaction.amount: ${op} }`)({ transaction: { amount } }), `${op} ${amount}`).toBe(
        expected,
      );
    }
  });

  it('durations in comparisons are seconds', () => {
    const old = matcher('{ risk.session.ageSeconds: { gt: 1h } }');
    expect(old({ subject: { id: 'u1', authTime: NOW - 3601 } })).toBe(true);
    expect(old({ subject: { id: 'u1', authTime: NOW - 3600 } })).toBe(false);
    expect(
      matcher('{ risk.session.ageSeconds: { between: [5m, 1h30m] } }')({
        subject: { id: 'u1', authTime: NOW - 400 },
      }),
    ).toBe(true);
  });

  it('globs on action names: * is one segment, ** any depth', () => {
    const one = matcher('{ action: "admin.*" }');
    expect(one({}, 'admin.users')).toBe(true);
    expect(one({}, 'admin.users.delete')).toBe(false);
    const deep = matcher('{ action: [payments.refund, "admin.**"] }');
    expect(deep({}, 'admin.users.delete')).toBe(true);
    expect(deep({}, 'payments.refund')).toBe(true);
    expect(deep({}, 'payments.transfer')).toBe(false);
    expect(matcher('{ action: "**" }')({}, 'x')).toBe(true);
    expect(matcher('{ resource.id: { glob: "acct-*" } }')({ resource: { id: 'acct-9' } })).toBe(true);
  });

  it('cidr and named IP lists, IPv4 and IPv6', () => {
    const cidr = matcher('{ context.ip: { cidr: [10.0.0.0/8, "2001:db8::/32"] } }');
    expect(cidr({ context: { ip: '10.1.2.3' } })).toBe(true);
    expect(cidr({ context: { ip: '2001:db8::5' } })).toBe(true);
    expect(cidr({ context: { ip: '11.1.2.3' } })).toBe(false);
    const named = matcher('{ context.ip: { ipList: office } }', 'ipLists: { office: [192.0.2.0/24] }');
    expect(named({ context: { ip: '192.0.2.9' } })).toBe(true);
    expect(named({ context: { ip: '192.0.3.9' } })).toBe(false);
  });

  it('exists', () => {
    expect(matcher('{ transaction.payee: { exists: true } }')({ transaction: { payee: 'x' } })).toBe(true);
    expect(matcher('{ transaction.payee: { exists: true } }')({ transaction: {} })).toBe(false);
    expect(
      matcher('{ transaction: { exists: false } }'.replace('transaction', 'transaction.payee'))({}),
    ).toBe(true);
  });

  it('never reads the prototype chain', () => {
    expect(matcher('{ transaction.toString: { exists: true } }')({ transaction: {} })).toBe(false);
    expect(() =>
      compileYaml(
        'policies:\n  - id: p\n    when: { transaction.__proto__: 1 }\n    effect: deny\ndefault: allow\n',
      ),
    ).toThrow(/not a valid field path/);
  });

  it('arrays match when any element does (subject.roles, risk.ip.reputation)', () => {
    const role = matcher('{ subject.roles: [admin, auditor] }');
    expect(role({ subject: { id: 'u1', roles: ['user', 'auditor'] } })).toBe(true);
    expect(role({ subject: { id: 'u1', roles: ['user'] } })).toBe(false);
  });

  it('all, any, not, and a list of conditions', () => {
    const m = matcher(`
      any:
        - { transaction.amount: { gt: 1000 } }
        - all: [{ transaction.currency: BTC }, { not: { subject.roles: trader } }]`);
    expect(m({ transaction: { amount: 5000 } })).toBe(true);
    expect(m({ transaction: { amount: 5, currency: 'BTC' } })).toBe(true);
    expect(m({ transaction: { amount: 5, currency: 'BTC' }, subject: { id: 'u1', roles: ['trader'] } })).toBe(
      false,
    );
    const list = matcher('[{ action: payments.transfer }, { transaction.amount: 1 }]');
    expect(list({ transaction: { amount: 1 } })).toBe(true);
    expect(list({ transaction: { amount: 2 } })).toBe(false);
  });

  it('subject.level reads the session level from acr', () => {
    const m = matcher('{ subject.level: aal1 }');
    expect(m({ subject: { id: 'u1' } })).toBe(true);
    expect(m({ subject: { id: 'u1', acr: 'urn:stepgate:aal2' } })).toBe(false);
  });
});

describe('generated code agrees with the interpreter', () => {
  const yaml = `
ipLists: { bad: [203.0.113.0/24] }
policies:
  - { id: a, when: { action: "pay.*", transaction.amount: { gt: 50 } }, require: { level: aal2 } }
  - { id: b, when: { any: [{ subject.roles: admin }, { transaction.currency: [EUR, GBP] }] }, effect: deny }
  - { id: c, when: { not: { context.ip: { ipList: bad } } }, effect: allow }
  - { id: d, when: { risk.score: { between: [20, 60] }, risk.device.known: false }, require: { level: aal1, maxAge: 0 } }
  - { id: e, when: { transaction.note: { exists: true }, resource.attributes.owner: { glob: "u*" } }, effect: deny }
  - { id: f, when: { transaction.amount: { in: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] } }, effect: deny }
default: deny
`;
  const doc = parsePolicyDocument(yaml);
  const jit = compilePolicy(doc);
  const interp = compilePolicy(doc, { codegen: false });
  it('on random requests', () => {
    const value = fc.oneof(
      fc.constant(undefined),
      fc.integer({ min: -5, max: 200 }),
      fc.constantFrom('EUR', 'GBP', 'u1', 'x', 'admin'),
      fc.boolean(),
      fc.array(fc.constantFrom('admin', 'user'), { maxLength: 3 }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('pay.out', 'pay.out.x', 'other'),
        fc.record({ amount: value, currency: value, note: value }),
        fc.record({ roles: value, owner: value, ip: fc.constantFrom('203.0.113.4', '198.51.100.1', 'nope') }),
        (action, tx, o) => {
          const req = request(action, {
            transaction: tx,
            subject: { id: 'u1', roles: o.roles as string[] },
            resource: { attributes: { owner: o.owner } },
            context: { ip: o.ip },
          });
          const a = jit.whatIf(input(req));
          const b = interp.evaluate(input(req));
          expect(a.decision).toBe(b.decision);
          expect(a.reasons).toEqual(b.reasons);
          expect(a.matched).toEqual(
            b.reasons.filter((r) => r.code === 'policy_matched').map((r) => r.policyId),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});
