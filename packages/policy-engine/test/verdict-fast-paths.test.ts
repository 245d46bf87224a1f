/**
 * The shortcuts of the common verdict (issue 18) decide exactly as the general paths: the session
 * level from a configured acr value, and the requirement of a single applying step-up.
 */
import { describe, expect, it } from 'vitest';
import { compileYaml, input, NOW, request } from './fixtures.js';

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
