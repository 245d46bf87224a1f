/**
 * The per-request field type check (docs/policies.md "Typed fields"): before any condition runs,
 * every typed field that is present must fit its type, whatever the action. One function checks
 * them all — generated like the matcher (values only through the constant table `K`), or
 * interpreted when code generation is off — and returns the first enforced field that does not
 * fit. A present value of the wrong type is never evaluated as "did not match" (issue 22).
 */
import { fieldValueFits, jsonTypeOf } from '@stepgate/protocol';
import type { TypedField } from './field-types.js';
import { isIpAddress } from './ip.js';
import type { InvalidField } from './types.js';

/** A step on the way to a field is present but not an object: the field's value is wrong too. */
const BLOCKED: unique symbol = Symbol('blocked');

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Reads a field: `undefined` when it (or a step on the way) is missing, `BLOCKED` when a step is
 * present but not an object (`transaction.payee` is `"ACME"` and `transaction.payee.country` is read).
 */
function readTyped(root: unknown, keys: readonly string[]): unknown {
  let v = root;
  for (const k of keys) {
    if (v === undefined) return undefined;
    if (v === null || typeof v !== 'object') return BLOCKED;
    if (!hasOwn.call(v, k)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

const fits = (f: TypedField, v: unknown): boolean =>
  v === undefined || (v !== BLOCKED && fieldValueFits(f.type, v, isIpAddress));

/** The checks of one compiled document. */
export interface TypeCheck {
  /** Index (into the typed fields) of the first enforced field that does not fit, or -1. */
  enforced(r: Record<string, unknown>): number;
  /** Indexes of report-only fields that do not fit (`undefined` when none, or when there are no such fields). */
  reportOnly(r: Record<string, unknown>): number[] | undefined;
}

/** The JavaScript test that a present value `x` fits a type (lists go to the shared helper). */
function testSource(f: TypedField, k: (v: unknown) => string): string {
  switch (f.type) {
    case 'number':
      // `x - x === 0` is false for NaN and ±Infinity: JSON sends NaN as null, but a direct caller may pass it.
      return `typeof x === 'number' && x - x === 0`;
    case 'string':
      return `typeof x === 'string'`;
    case 'boolean':
      return `typeof x === 'boolean'`;
    case 'ip':
      return `typeof x === 'string' && IP(x)`;
    default:
      return `x !== B && FV(${k(f.type)}, x, IP)`;
  }
}

/**
 * Builds the check. With `codegen`, the enforced fields are tested by one generated function;
 * otherwise (a CSP without `unsafe-eval`, or `new Function` throws) the same tests are interpreted.
 */
export function compileTypeCheck(fields: readonly TypedField[], codegen: boolean): TypeCheck {
  const enforcedCount = fields.filter((f) => !f.reportOnly).length;
  const reportOnly = (r: Record<string, unknown>): number[] | undefined => {
    let bad: number[] | undefined;
    for (let i = enforcedCount; i < fields.length; i++) {
      const f = fields[i] as TypedField;
      if (fits(f, readTyped(r[f.field.root], f.field.keys))) continue;
      if (bad === undefined) bad = [i];
      else bad.push(i);
    }
    return bad;
  };
  const interpreted = (r: Record<string, unknown>): number => {
    for (let i = 0; i < enforcedCount; i++) {
      const f = fields[i] as TypedField;
      if (!fits(f, readTyped(r[f.field.root], f.field.keys))) return i;
    }
    return -1;
  };
  if (!codegen || enforcedCount === 0) return { enforced: interpreted, reportOnly };
  try {
    const K: unknown[] = [];
    const k = (v: unknown): string => {
      K.push(v);
      return `K[${K.length - 1}]`;
    };
    const body = fields.slice(0, enforcedCount).map((f, i) => {
      const { root, keys } = f.field;
      // Roots come from a fixed list (fields.ts); keys only through K.
      if (!['subject', 'resource', 'transaction', 'context'].includes(root))
        throw new Error('unexpected root');
      const read =
        keys.length === 1
          ? `(t = r.${root}) === void 0 ? void 0 : t === null || typeof t !== 'object' ? B : HAS.call(t, ${k(keys[0])}) ? t[${k(keys[0])}] : void 0`
          : `RT(r.${root}, ${k(keys)})`;
      return `  x = ${read};\n  if (x !== void 0 && !(${testSource(f, k)})) return ${i | 0};`;
    });
    const source = `"use strict";\nreturn function check(r) {\n  var t, x;\n${body.join('\n')}\n  return -1;\n};`;
    const factory = new Function('K', 'B', 'HAS', 'RT', 'IP', 'FV', source) as (
      ...a: unknown[]
    ) => (r: Record<string, unknown>) => number;
    const enforced = factory(Object.freeze(K), BLOCKED, hasOwn, readTyped, isIpAddress, fieldValueFits);
    return { enforced, reportOnly };
  } catch {
    return { enforced: interpreted, reportOnly };
  }
}

/** Describes a value that does not fit `type`, for `InvalidField.actual`. */
function describe(type: string, v: unknown, root: unknown, f: TypedField): string {
  if (v === BLOCKED) {
    // Find the step that is not an object.
    let at: unknown = root;
    let path = f.field.root;
    for (const key of f.field.keys) {
      if (at === null || typeof at !== 'object') break;
      at = (at as Record<string, unknown>)[key];
      path += `.${key}`;
    }
    return `${jsonTypeOf(at)} at ${path}`;
  }
  if (type.endsWith('[]') && Array.isArray(v)) {
    const element = type.slice(0, -2);
    const bad = v.find((x) => !fieldValueFits(element as TypedField['type'], x, isIpAddress));
    return typeof bad === 'string' && element === 'ip'
      ? 'array with a string that is not an IP address'
      : `array with a ${jsonTypeOf(bad)} element`;
  }
  if (type === 'ip' && typeof v === 'string') return 'string that is not an IP address';
  return jsonTypeOf(v);
}

/** The `InvalidField` of a typed field that failed the check, naming `policyId` when given. */
export function invalidField(f: TypedField, r: Record<string, unknown>, policyId?: string): InvalidField {
  const root = r[f.field.root];
  const actual = describe(f.type, readTyped(root, f.field.keys), root, f);
  return policyId === undefined
    ? { field: f.field.path, expected: f.type, actual }
    : { field: f.field.path, policyId, expected: f.type, actual };
}
