import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy, type PolicyRule } from '../src/index.js';
import { documentArb, history, input, request, requestFieldArbs, requirementFieldArbs } from './fixtures.js';

const actions = ['payments.transfer', 'admin.users', 'iam.role.grant', 'reports.read'];
const whenArb = fc.oneof(
  fc.record({ action: fc.constantFrom(...actions, 'admin.*', '**') }),
  fc.record({ 'transaction.amount': fc.record({ gt: fc.integer({ min: 0, max: 20000 }) }) }),
  fc.record({ 'subject.roles': fc.constantFrom('admin', 'user') }),
  fc.record({ 'risk.level': fc.constantFrom('low', 'medium', 'high') }),
  fc.record({ 'risk.device.known': fc.boolean() }),
);
const ruleArb: fc.Arbitrary<Omit<PolicyRule, 'id'>> = fc.oneof(
  fc.record({
    when: whenArb,
    effect: fc.constantFrom('allow' as const, 'deny' as const),
    mode: fc.constantFrom('enforce' as const, 'report-only' as const),
  }),
  fc.record({
    when: whenArb,
    require: fc.record(
      {
        ...requirementFieldArbs,
      },
      { requiredKeys: ['level'] },
    ),
  }),
);
const docArb = documentArb(ruleArb, 8);
const reqArb = fc.record(requestFieldArbs(actions));
const toInput = (r: {
  action: string;
  amount: number;
  roles: string[];
  acr: string;
  age: number;
  known: boolean;
}) =>
  input(
    request(r.action, {
      subject: { id: 'u1', sessionId: 's1', acr: r.acr, authTime: 1_767_225_600 - r.age, roles: r.roles },
      transaction: { amount: r.amount },
    }),
    history(undefined, { device: { rememberedToken: r.known, fingerprintSeen: true, accountsOnDevice: 1 } }),
  );

describe('properties', () => {
  it('adding a deny policy never turns a deny (or a step_up) into an allow', () => {
    fc.assert(
      fc.property(docArb, whenArb, reqArb, (doc, when, r) => {
        const before = compilePolicy(doc).evaluate(toInput(r)).decision;
        const withDeny = {
          ...doc,
          policies: [...doc.policies, { id: 'extra-deny', when, effect: 'deny' as const }],
        };
        const after = compilePolicy(withDeny).evaluate(toInput(r)).decision;
        if (before !== 'allow') expect(after).not.toBe('allow');
        if (before === 'deny') expect(after).toBe('deny');
      }),
      { numRuns: 400 },
    );
  });

  it('report-only policies never change the decision', () => {
    fc.assert(
      fc.property(docArb, reqArb, (doc, r) => {
        const enforcedOnly = { ...doc, policies: doc.policies.filter((p) => p.mode !== 'report-only') };
        expect(compilePolicy(doc).evaluate(toInput(r)).decision).toBe(
          compilePolicy(enforcedOnly).evaluate(toInput(r)).decision,
        );
      }),
      { numRuns: 300 },
    );
  });

  it('evaluate and whatIf never throw on any input object', () => {
    const policy = compilePolicy({
      ipLists: { bad: ['10.0.0.0/8'] },
      policies: [
        { id: 'a', when: { action: 'admin.*', 'context.ip': { ipList: 'bad' } }, require: { level: 'aal2' } },
        {
          id: 'b',
          when: { 'transaction.amount': { gt: 5 }, 'risk.geo.velocityKmh': { gt: 900 } },
          effect: 'deny',
        },
        {
          id: 'c',
          when: { 'resource.attributes.a.b': { exists: true }, 'subject.roles': 'x' },
          effect: 'allow',
        },
      ],
      default: 'deny',
    });
    const anything = fc.anything({
      withObjectString: true,
      withNullPrototype: true,
      withBigInt: true,
      withDate: true,
      withMap: true,
    });
    fc.assert(
      fc.property(anything, anything, anything, (a, b, c) => {
        for (const x of [
          a,
          { request: a, now: b, history: c },
          {
            request: {
              subject: { id: 'u' },
              action: { name: 'admin.x' },
              context: a,
              transaction: b,
              resource: c,
            },
            now: 1,
            history: a,
          },
        ]) {
          const v = policy.evaluate(x as never);
          expect(['allow', 'step_up', 'deny']).toContain(v.decision);
          expect(['allow', 'step_up', 'deny']).toContain(policy.whatIf(x as never).decision);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
