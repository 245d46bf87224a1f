import { describe, expect, it } from 'vitest';
import { compilePolicy, type PolicyDocument, parsePolicyDocument } from '../src/index.js';
import { compileYaml, history, input, NOW, request } from './fixtures.js';

const BANK = `
policies:
  - id: fresh-check-for-transfers
    when: { action: payments.transfer, transaction.amount: { gt: 500 } }
    require: { level: aal1, maxAge: 0, bindTransaction: true }
  - id: sanctioned-country
    when: { transaction.payee.country: [KP, IR] }
    effect: deny
  - id: trusted-payee
    when: { action: payments.transfer, transaction.payee.trusted: true }
    effect: allow
default: deny
`;

describe('a missing field follows the policy\'s onMissing, never a silent skip (docs/policies.md "Missing fields")', () => {
  const policy = compileYaml(BANK);
  const run = (action: string, transaction?: Record<string, unknown>) =>
    policy.evaluate(input(request(action, transaction === undefined ? {} : { transaction })));

  it('a step-up policy steps up when the amount is missing from a transfer, and not on another action', () => {
    const v = run('payments.transfer', { payee: { country: 'FR', trusted: true } });
    expect(v.decision).toBe('step_up');
    expect(v.requirement?.level).toBe('aal1');
    expect(v.reasons).toContainEqual({
      policyId: 'fresh-check-for-transfers',
      code: 'field_missing',
      detail: 'transaction.amount is missing from the request; onMissing is step_up',
      values: { missing: ['transaction.amount'], onMissing: 'step_up' },
    });
    // account.read: the action alone makes the condition false, whatever the amount.
    const read = run('account.read', { payee: { country: 'FR' } });
    expect(read.reasons.map((r) => r.policyId)).not.toContain('fresh-check-for-transfers');
  });

  it('a deny policy denies when its field is missing; an allow policy is skipped, and says so', () => {
    const v = run('payments.transfer', { amount: 10 });
    expect(v.decision).toBe('deny');
    expect(v.reasons).toEqual([
      expect.objectContaining({
        policyId: 'sanctioned-country',
        code: 'field_missing',
        values: { missing: ['transaction.payee.country'], onMissing: 'deny' },
      }),
      expect.objectContaining({
        policyId: 'trusted-payee',
        code: 'field_missing',
        detail:
          'transaction.payee.trusted is missing from the request; onMissing is skip, so the policy does not apply',
        values: { missing: ['transaction.payee.trusted'], onMissing: 'skip' },
      }),
    ]);
  });

  it('all present: the ordinary verdict', () => {
    expect(run('payments.transfer', { amount: 10, payee: { country: 'FR', trusted: true } }).decision).toBe(
      'allow',
    );
    expect(run('payments.transfer', { amount: 900, payee: { country: 'FR', trusted: true } }).decision).toBe(
      'step_up',
    );
    expect(run('payments.transfer', { amount: 10, payee: { country: 'KP', trusted: true } }).decision).toBe(
      'deny',
    );
  });

  it('onMissing overrides the default: deny, skip, or step_up (which needs a require)', () => {
    const doc = (onMissing: string, effect = 'require: { level: aal2, maxAge: 0 }') =>
      `policies:\n  - id: p\n    when: { transaction.amount: { gt: 500 } }\n    ${effect}\n    onMissing: ${onMissing}\ndefault: allow\n`;
    const missing = input(request('payments.transfer', { transaction: {} }));
    expect(compileYaml(doc('deny')).evaluate(missing).decision).toBe('deny');
    const skipped = compileYaml(doc('skip')).evaluate(missing);
    expect(skipped.decision).toBe('allow');
    expect(skipped.reasons).toEqual([
      expect.objectContaining({ policyId: 'default', code: 'default_effect' }),
      expect.objectContaining({
        policyId: 'p',
        code: 'field_missing',
        values: expect.objectContaining({ onMissing: 'skip' }),
      }),
    ]);
    expect(compileYaml(doc('deny', 'effect: allow')).evaluate(missing).decision).toBe('deny');
    expect(() => compileYaml(doc('step_up', 'effect: deny'))).toThrowError(
      expect.objectContaining({
        path: '/policies/0/onMissing',
        message: expect.stringMatching(/needs a "require"/),
      }),
    );
  });

  it('three-valued logic: all is false when any child is false, any is true when any child is true, not keeps unknown', () => {
    const deny = (when: unknown, transaction: Record<string, unknown>) =>
      compilePolicy({
        policies: [{ id: 'p', when: when as never, effect: 'deny' }],
        default: 'allow',
      }).evaluate(input(request('payments.transfer', { transaction })));
    const amount = { 'transaction.amount': { gt: 500 } };
    const eur = { 'transaction.currency': 'EUR' };
    // all(unknown, false) = false: the policy does not apply, and nothing is reported missing.
    const allFalse = deny({ all: [amount, eur] }, { currency: 'USD' });
    expect(allFalse.decision).toBe('allow');
    expect(allFalse.reasons.map((r) => r.code)).toEqual(['default_effect']);
    // all(unknown, true) = unknown → onMissing (deny).
    expect(deny({ all: [amount, eur] }, { currency: 'EUR' }).reasons[0]).toMatchObject({
      code: 'field_missing',
      values: { missing: ['transaction.amount'] },
    });
    // any(unknown, true) = true: a plain match.
    expect(deny({ any: [amount, eur] }, { currency: 'EUR' }).reasons[0]?.code).toBe('policy_matched');
    // any(unknown, false) = unknown.
    expect(deny({ any: [amount, eur] }, { currency: 'USD' }).reasons[0]?.code).toBe('field_missing');
    // not(unknown) = unknown: a missing amount never passes `not: { amount > 500 }`.
    expect(deny({ not: amount }, {}).reasons[0]?.code).toBe('field_missing');
    expect(deny({ not: amount }, { amount: 10 }).reasons[0]?.code).toBe('policy_matched');
    // Only the fields the unknown result depends on are named.
    expect(
      deny({ any: [{ all: [amount, eur] }, { 'transaction.payee': 'x' }] }, { currency: 'USD' }).reasons[0]
        ?.values,
    ).toEqual({ missing: ['transaction.payee'], onMissing: 'deny' });
  });

  it('exists is never unknown; risk signals keep their meaning when absent', () => {
    const p = compileYaml(`
policies:
  - { id: no-payee, when: { transaction.payee: { exists: false } }, effect: deny }
  - { id: travel, when: { risk.geo.velocityKmh: { gt: 900 } }, require: { level: aal2 } }
default: allow
`);
    const v = p.evaluate(input(request('payments.transfer', { transaction: { payee: 'Bob' } })));
    // No geo: no velocity signal, so `travel` simply does not match (docs: absence is a value).
    expect(v.decision).toBe('allow');
    expect(p.evaluate(input(request('payments.transfer', { transaction: {} }))).reasons[0]).toMatchObject({
      policyId: 'no-payee',
      code: 'policy_matched',
    });
  });

  it('report-only policies record a missing field without changing the outcome', () => {
    const doc: PolicyDocument = {
      policies: [
        { id: 'watch', mode: 'report-only', when: { 'transaction.amount': { gt: 1000 } }, effect: 'deny' },
        {
          id: 'watch-vip',
          mode: 'report-only',
          when: { 'transaction.vip': true },
          effect: 'allow',
        },
      ],
      default: 'allow',
    };
    const v = compilePolicy(doc).evaluate(input(request('payments.transfer', { transaction: {} })));
    expect(v.decision).toBe('allow');
    expect(v.reasons).toEqual([expect.objectContaining({ code: 'default_effect' })]);
    expect(v.reportOnly).toEqual([
      {
        policyId: 'watch',
        decision: 'deny',
        reasons: [
          expect.objectContaining({
            code: 'field_missing',
            values: { missing: ['transaction.amount'], onMissing: 'deny' },
          }),
        ],
      },
      // A skipped report-only policy would have left the request to the default.
      {
        policyId: 'watch-vip',
        decision: 'allow',
        reasons: [
          expect.objectContaining({
            code: 'field_missing',
            values: { missing: ['transaction.vip'], onMissing: 'skip' },
          }),
        ],
      },
    ]);
  });

  it('whatIf marks an unknown condition as missing', () => {
    const w = policy.whatIf(
      input(request('payments.transfer', { transaction: { payee: { country: 'FR' } } })),
    );
    expect(w.notMatched).toContainEqual({
      policyId: 'fresh-check-for-transfers',
      mode: 'enforce',
      failed: {
        path: '/policies/0/when/transaction.amount/gt',
        field: 'transaction.amount',
        op: 'gt',
        expected: 500,
        actual: undefined,
        missing: true,
      },
    });
  });

  it('the generated matcher and the interpreter settle missing fields alike', () => {
    const jit = compileYaml(BANK);
    const interp = compilePolicy(parsePolicyDocument(BANK), { codegen: false });
    for (const tx of [
      undefined,
      {},
      { amount: 900 },
      { payee: {} },
      { payee: { country: 'KP' } },
      { amount: 5, payee: { trusted: false } },
    ]) {
      for (const action of ['payments.transfer', 'account.read']) {
        const x = input(request(action, tx === undefined ? {} : { transaction: tx }), history(), NOW);
        expect(JSON.parse(JSON.stringify(jit.evaluate(x)))).toEqual(
          JSON.parse(JSON.stringify(interp.evaluate(x))),
        );
      }
    }
  });
});
