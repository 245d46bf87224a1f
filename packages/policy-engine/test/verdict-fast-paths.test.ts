/**
 * The shortcuts of the common verdict (issue 18) decide exactly as the general paths: the session
 * level from a configured acr value, the requirement of a single applying step-up, and the
 * combination of documents without report-only policies.
 */
import type { Level, Method } from '@stepgate/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy, type PolicyRule } from '../src/index.js';
import {
  compileYaml,
  documentArb,
  history,
  input,
  NOW,
  request,
  requestFieldArbs,
  requirementFieldArbs,
} from './fixtures.js';

const doc = `
policies:
  - id: admin
    when: { action: admin.users }
    require: { level: aal2, maxAge: 15m }
  - id: admin-strict
    when: { action: admin.users, transaction.amount: { gt: 100 } }
    require: { level: aal2, maxAge: 15m }
default: allow
`;

describe('session level from subject.acr', () => {
  const acrValues = { aal1: 'urn:x:bronze', aal2: 'urn:x:silver', aal3: 'urn:x:gold' };
  const policy = compileYaml(doc, { acrValues });
  const decide = (acr: unknown) =>
    policy.evaluate(
      input(
        request('admin.users', {
          subject: { id: 'u1', authTime: NOW - 60, acr } as never,
        }),
      ),
    ).decision;

  it('reads configured values and bare level names alike', () => {
    expect(decide('urn:x:silver')).toBe('allow');
    expect(decide('urn:x:gold')).toBe('allow');
    expect(decide('aal2')).toBe('allow');
    expect(decide('urn:x:bronze')).toBe('step_up');
    expect(decide('aal1')).toBe('step_up');
  });

  it('counts an unknown or absent acr as aal1', () => {
    expect(decide('urn:stepgate:aal2')).toBe('step_up');
    expect(decide(undefined)).toBe('step_up');
    expect(decide(42)).toBe('step_up');
  });

  it('lets a bare level name win over a configured value that equals it', () => {
    const odd = compileYaml(doc, { acrValues: { aal1: 'aal2', aal2: 'urn:x:silver', aal3: 'urn:x:gold' } });
    const v = odd.evaluate(
      input(request('admin.users', { subject: { id: 'u1', authTime: NOW - 60, acr: 'aal2' } })),
    );
    expect(v.decision).toBe('allow');
  });
});

describe('requirement of a single step-up', () => {
  const policy = compileYaml(doc);

  it('is the requirement the same step-up gives when combined with an identical one', () => {
    const alone = policy.evaluate(input(request('admin.users', { transaction: { amount: 50 } })));
    const both = policy.evaluate(input(request('admin.users', { transaction: { amount: 500 } })));
    expect(alone.decision).toBe('step_up');
    expect(both.decision).toBe('step_up');
    expect(alone.requirement).toEqual(both.requirement);
    expect(alone.requirement).toMatchObject({ level: 'aal2', maxAge: 900, singleUse: false });
    // Shared and frozen, from the first verdict on.
    const again = policy.evaluate(input(request('admin.users', { transaction: { amount: 7 } })));
    expect(again.requirement).toBe(alone.requirement);
    expect(Object.isFrozen(alone.requirement)).toBe(true);
  });
});

describe('combination of a document without report-only policies', () => {
  // `evaluate` combines without a facts object and returns the verdict as is; `whatIf` builds the
  // facts it explains with and adds its match lists. Their verdicts (risk included, once read)
  // must be equal on every request.
  const actions = ['payments.transfer', 'admin.users', 'iam.role.grant', 'reports.read'];
  const whenArb = fc.oneof(
    fc.record({ action: fc.constantFrom(...actions, 'admin.*', '**') }),
    fc.record({ 'transaction.amount': fc.record({ gt: fc.integer({ min: 0, max: 20000 }) }) }),
    fc.record({ 'subject.roles': fc.constantFrom('admin', 'user') }),
    fc.record({ 'risk.device.known': fc.boolean() }),
  );
  const ruleArb: fc.Arbitrary<Omit<PolicyRule, 'id'>> = fc.oneof(
    fc.record({ when: whenArb, effect: fc.constantFrom('allow' as const, 'deny' as const) }),
    fc.record({
      when: whenArb,
      require: fc
        .record(
          {
            ...requirementFieldArbs,
            anyAction: fc.boolean(),
            performer: fc.constantFrom('stepgate' as const, 'any' as const, 'idp:corp' as const),
          },
          { requiredKeys: ['level'] },
        )
        // anyAction cannot be combined with a token bound to this request (a document error).
        .map(({ anyAction, ...req }) =>
          anyAction === true && req.bindTransaction !== true && req.maxAge !== 0
            ? { ...req, anyAction }
            : req,
        ),
    }),
  );
  const docArb = documentArb(ruleArb, 6);
  const reqArb = fc.record({
    ...requestFieldArbs(actions),
    methods: fc.option(fc.subarray<Method>(['totp', 'webauthn', 'email_otp'])),
    factors: fc.subarray([
      ['totp', 'aal2'],
      ['webauthn', 'aal3'],
      ['email_otp', 'aal1'],
      ['sms_otp', 'aal2'],
    ] as Array<[Method, Level]>),
  });

  it('is the verdict of the general combination', () => {
    fc.assert(
      fc.property(docArb, reqArb, (doc, r) => {
        const policy = compilePolicy(doc);
        const x = input(
          request(r.action, {
            subject: {
              id: 'u1',
              sessionId: 's1',
              acr: r.acr,
              authTime: NOW - r.age,
              roles: r.roles,
              ...(r.methods === null ? {} : { methods: r.methods }),
            },
            transaction: { amount: r.amount },
          }),
          history(r.factors, {
            device: { rememberedToken: r.known, fingerprintSeen: true, accountsOnDevice: 1 },
          }),
        );
        const { matched: _m, notMatched: _n, ...general } = policy.whatIf(x);
        const fast = policy.evaluate(x);
        expect(JSON.parse(JSON.stringify(fast))).toEqual(JSON.parse(JSON.stringify(general)));
        expect(Object.keys(fast)).toEqual(Object.keys(general));
      }),
      { numRuns: 600 },
    );
  });
});
