/**
 * The per-request field type check (docs/policies.md "Typed fields"): before any condition runs,
 * every typed field that is present must fit its type, whatever the action. The generated matcher
 * does it in its prologue (codegen.ts, with `typeTestSource`), reading each field once for the
 * conditions too; the interpreter fallback calls `enforced()`. A present value of the wrong type
 * is never evaluated as "did not match" (issue 22).
 */
import { type FieldType, fieldValueFits, jsonTypeOf } from '@stepgate/protocol';
import type { TypedField } from './field-types.js';
import { isIpAddress } from './ip.js';
import type { InvalidField } from './types.js';

/** A step on the way to a field is present but not an object: the field's value is wrong too. */
export const BLOCKED: unique symbol = Symbol('blocked');

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Reads a field: `undefined` when it (or a step on the way) is missing, `BLOCKED` when a step is
 * present but not an object (`transaction.payee` is `"ACME"` and `transaction.payee.country` is read).
 */
export function readTyped(root: unknown, keys: readonly string[]): unknown {
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

/**
 * The JavaScript test that a present value `x` fits a type, for generated code (codegen.ts): `IP`
 * is `isIpAddress`, `FV` `fieldValueFits`, `B` the `BLOCKED` marker; constants go through `k`.
 */
export function typeTestSource(type: FieldType, k: (v: unknown) => string): string {
  switch (type) {
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
      return `x !== B && FV(${k(type)}, x, IP)`;
  }
}

/**
 * The interpreted checks of one compiled document (the generated matcher checks the enforced fields
 * itself; the interpreter fallback and report-only fields use these).
 */
export interface TypeCheck {
  /** Index (into the typed fields) of the first enforced field that does not fit, or -1. */
  enforced(r: Record<string, unknown>): number;
  /** Indexes of report-only fields that do not fit (`undefined` when none). */
  reportOnly(r: Record<string, unknown>): number[] | undefined;
}

/** The interpreted checks; typed fields come enforced ones first (field-types.ts). */
export function compileTypeCheck(fields: readonly TypedField[]): TypeCheck {
  const enforcedCount = fields.filter((f) => !f.reportOnly).length;
  return {
    enforced(r) {
      for (let i = 0; i < enforcedCount; i++) {
        const f = fields[i] as TypedField;
        if (!fits(f, readTyped(r[f.field.root], f.field.keys))) return i;
      }
      return -1;
    },
    reportOnly(r) {
      let bad: number[] | undefined;
      for (let i = enforcedCount; i < fields.length; i++) {
        const f = fields[i] as TypedField;
        if (fits(f, readTyped(r[f.field.root], f.field.keys))) continue;
        if (bad === undefined) bad = [i];
        else bad.push(i);
      }
      return bad;
    },
  };
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
