import { type FieldType, fieldValueFits } from '@stepgate/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy, type PolicyDocument, type PolicyRule } from '../src/index.js';
import { isIpAddress } from '../src/ip.js';
import { history, input, request } from './fixtures.js';

/** Every operator, with the type it gives its field and an operand. */
const OPERATORS: Array<{ name: string; type: FieldType; operand: unknown }> = [
  { name: 'eq string', type: 'string', operand: 'EUR' },
  { name: 'eq number', type: 'number', operand: 500 },
  { name: 'eq boolean', type: 'boolean', operand: true },
  { name: 'in strings', type: 'string', operand: { in: ['KP', 'IR'] } },
  { name: 'in numbers', type: 'number', operand: { in: [1, 2, 3] } },
  { name: 'gt', type: 'number', operand: { gt: 500 } },
  { name: 'gte', type: 'number', operand: { gte: 500 } },
  { name: 'lt', type: 'number', operand: { lt: 500 } },
  { name: 'lte', type: 'number', operand: { lte: 500 } },
  { name: 'between', type: 'number', operand: { between: [100, 500] } },
  { name: 'glob', type: 'string', operand: { glob: 'acct-*' } },
  { name: 'cidr', type: 'ip', operand: { cidr: ['10.0.0.0/8', '2001:db8::/32'] } },
  { name: 'ipList', type: 'ip', operand: { ipList: 'office' } },
  { name: 'eq on a declared string[]', type: 'string[]', operand: 'vip' },
  { name: 'gt on a declared number[]', type: 'number[]', operand: { gt: 500 } },
];

const PATHS = ['transaction.value', 'transaction.payee.value', 'resource.attributes.value'];

/** How the condition holds the leaf: alone, negated, or beside another condition that does not decide it. */
const SHAPES: Array<(leaf: Record<string, unknown>) => Record<string, unknown>> = [
  (leaf) => leaf,
  (leaf) => ({ not: leaf }),
  (leaf) => ({ action: 'payments.transfer', ...leaf }),
  (leaf) => ({ any: [leaf, { action: 'never.this' }] }),
  (leaf) => ({ all: [leaf, { 'risk.device.automation': false }] }),
];

/** The policy's way of not allowing: a deny, or a step-up the session cannot meet. */
const EFFECTS: Array<Partial<PolicyRule>> = [
  { effect: 'deny' },
  { require: { level: 'aal2', maxAge: 0 } },
  { require: { level: 'aal1', maxAge: 0, bindTransaction: true } },
  { effect: 'deny', onMissing: 'deny' },
  { require: { level: 'aal2', maxAge: 0 }, onMissing: 'deny' },
];

function documentFor(
  op: (typeof OPERATORS)[number],
  path: string,
  shape: number,
  effect: number,
): PolicyDocument {
  const leaf = { [path]: op.operand };
  const rule = { id: 'guarded', when: SHAPES[shape]!(leaf), ...EFFECTS[effect] } as PolicyRule;
  return {
    ipLists: { office: ['192.0.2.0/24'] },
    ...(op.type.endsWith('[]') ? { fields: { [path]: op.type } } : {}),
    policies: [rule],
    default: 'allow',
  };
}

/** A request whose field at `path` holds `value`, or lacks it (`missing`: the field, or a step on the way). */
function requestWith(path: string, value: unknown, missing: false | 'field' | 'parent') {
  const [root, ...keys] = path.split('.') as [string, ...string[]];
  let holder: Record<string, unknown> = {};
  const top = holder;
  keys.forEach((k, i) => {
    if (i === keys.length - 1) {
      if (missing === false) holder[k] = value;
    } else if (!(missing === 'parent' && i === 0)) {
      const next: Record<string, unknown> = {};
      holder[k] = next;
      holder = next;
    }
  });
  return request('payments.transfer', { [root]: top } as never);
}

const anyValue = fc.anything({ withNullPrototype: true, withObjectString: true, maxDepth: 2 });

describe('fail closed on every operator (issue 22, S20)', () => {
  const cases = fc.record({
    op: fc.constantFrom(...OPERATORS),
    path: fc.constantFrom(...PATHS),
    shape: fc.nat({ max: SHAPES.length - 1 }),
    effect: fc.nat({ max: EFFECTS.length - 1 }),
    codegen: fc.boolean(),
  });

  it('a present value of the wrong type never allows through the policy: the request is invalid', () => {
    fc.assert(
      fc.property(
        cases.chain((c) =>
          fc.record({
            c: fc.constant(c),
            // A present value (undefined is a missing field) that does not fit.
            value: anyValue.filter((v) => v !== undefined && !fieldValueFits(c.op.type, v, isIpAddress)),
          }),
        ),
        ({ c, value }) => {
          const policy = compilePolicy(documentFor(c.op, c.path, c.shape, c.effect), { codegen: c.codegen });
          const v = policy.evaluate(input(requestWith(c.path, value, false), history()));
          expect(v.decision).not.toBe('allow');
          expect(v.invalid).toMatchObject({ field: c.path, policyId: 'guarded', expected: c.op.type });
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('a missing field (or a missing step on the way) never allows through the policy', () => {
    fc.assert(
      fc.property(cases, fc.constantFrom('field' as const, 'parent' as const), (c, missing) => {
        const policy = compilePolicy(documentFor(c.op, c.path, c.shape, c.effect), { codegen: c.codegen });
        const v = policy.evaluate(input(requestWith(c.path, undefined, missing), history()));
        expect(v.decision).not.toBe('allow');
        expect(v.reasons).toContainEqual(
          expect.objectContaining({
            policyId: 'guarded',
            code: 'field_missing',
          }),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('and a value of the right type is evaluated as usual (the generated matcher agrees with the interpreter)', () => {
    const good: Record<string, fc.Arbitrary<unknown>> = {
      string: fc.constantFrom('EUR', 'KP', 'acct-1', 'x'),
      number: fc.integer({ min: 0, max: 1000 }),
      boolean: fc.boolean(),
      ip: fc.constantFrom('10.1.2.3', '192.0.2.7', '198.51.100.1', '2001:db8::1'),
      'string[]': fc.array(fc.constantFrom('vip', 'x'), { maxLength: 3 }),
      'number[]': fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 3 }),
    };
    fc.assert(
      fc.property(
        cases.chain((c) => fc.record({ c: fc.constant(c), value: good[c.op.type]! })),
        ({ c, value }) => {
          const doc = documentFor(c.op, c.path, c.shape, c.effect);
          const x = input(requestWith(c.path, value, false), history());
          const a = compilePolicy(doc).evaluate(x);
          const b = compilePolicy(doc, { codegen: false }).evaluate(x);
          expect(a.invalid).toBeUndefined();
          expect(JSON.parse(JSON.stringify(a))).toEqual(JSON.parse(JSON.stringify(b)));
        },
      ),
      { numRuns: 800 },
    );
  });
});
