/**
 * Generates one matching function for all policies. Every value from the document (operands,
 * field names, patterns, ranges) reaches the generated code only through the constant table
 * `K`, indexed by integers the generator chose: no document string is ever spliced into source.
 * The only identifiers in the source come from fixed lists in this file.
 */
import { type FieldType, fieldValueFits } from '@stepgate/protocol';
import type { CondNode, Leaf } from './condition.js';
import type { TypedField } from './field-types.js';
import type { Field } from './fields.js';
import { readPath } from './fields.js';
import { testLeaf } from './interpret.js';
import { isIpAddress } from './ip.js';
import type { Signals } from './signals.js';
import { BLOCKED, readTyped, typeTestSource } from './type-check.js';

/**
 * A matcher: writes the indexes of matching policies into `out`, returns how many.
 * `r` the request, `s` the signals, `an` the action name, `lv` the session level, `A` the
 * results of the action-only tests for `an`, `C` the candidate policies for `an` (ascending).
 * Policies whose evaluation read a missing request field are not decided here: their indexes go
 * to `Q[1…Q[0]]`, and the caller evaluates them again in three-valued logic (interpret.ts
 * `truth`). With every field present, that list is empty and the two-valued result is exact.
 * First of all it checks the enforced typed fields: a negative result `-1 - i` says typed field
 * `i` holds a value of another type (the request is invalid; nothing was matched).
 */
export type Matcher = (
  r: Record<string, unknown>,
  s: Signals,
  an: string,
  lv: string,
  out: Int32Array,
  A: Uint8Array,
  C: Int32Array,
  Q: Int32Array,
) => number;

/** Builds a reason's `values` (field path → value) for one policy. */
export type ValuesBuilder = (
  r: Record<string, unknown>,
  s: Signals,
  an: string,
  lv: string,
) => Record<string, unknown>;

/** Builds a reason's `values` for the policy with index `i`. */
export type ValuesAt = (
  i: number,
  r: Record<string, unknown>,
  s: Signals,
  an: string,
  lv: string,
) => Record<string, unknown>;

/** Whether a subtree reads only the action name (its result can be cached per action). */
export function actionOnly(n: CondNode): boolean {
  if (n.k === 'leaf') return n.field.kind === 'action';
  if (n.k === 'not') return actionOnly(n.c);
  return n.c.length > 0 && n.c.every(actionOnly);
}

const ROOTS = new Set(['subject', 'resource', 'transaction', 'context']);

class Emitter {
  readonly K: unknown[] = [];
  /** Leaves emitted so far that can find their request field missing (they set `M`). */
  missingLeaves = 0;
  /** Types of the typed request fields, by path. */
  readonly types: ReadonlyMap<string, FieldType>;
  /** Fields the prologue has already read (and type-checked): cases use their variable as is. */
  readonly eager = new Set<string>();

  constructor(types: ReadonlyMap<string, FieldType>) {
    this.types = types;
  }

  /**
   * Fields whose value is never an array, so equality needs no array check: the action, the
   * level, scalar signals, and request fields typed as scalars (the type check refused any other
   * present value before matching; a report-only policy's field may still hold one, so every
   * test below stays total, and that policy's result is then discarded).
   */
  scalar(f: Field): boolean {
    if (f.kind === 'req') {
      const t = this.types.get(f.path);
      return t !== undefined && !t.endsWith('[]');
    }
    return f.kind !== 'sig' || f.key !== 'ip.reputation';
  }
  readonly fieldVars = new Map<string, number>();
  readonly fieldInits: string[] = [];
  /** Action-only subtrees; the matcher reads their results from `A[j]`. */
  readonly actionTests: CondNode[] = [];

  k(value: unknown): string {
    this.K.push(value);
    return `K[${this.K.length - 1}]`;
  }

  /** An expression for a field's value; request fields are read once, lazily. */
  value(f: Field): string {
    if (f.kind === 'action') return 'an';
    if (f.kind === 'level') return 'lv';
    if (f.kind === 'sig') return `s[${this.k(f.key)}]`;
    if (!ROOTS.has(f.root)) throw new Error('unexpected root');
    let i = this.fieldVars.get(f.path);
    if (i === undefined) {
      i = this.fieldVars.size;
      this.fieldVars.set(f.path, i);
      this.fieldInits.push(`f${i} = U`);
    }
    if (this.eager.has(f.path)) return `f${i}`;
    const read =
      f.keys.length === 1
        ? `(t = r.${f.root}, t !== null && typeof t === 'object' && HAS.call(t, ${this.k(f.keys[0])}) ? t[${this.k(f.keys[0])}] : undefined)`
        : `RP(r.${f.root}, ${this.k(f.keys)})`;
    return `(f${i} === U ? (f${i} = ${read}) : f${i})`;
  }

  /** An expression reading a field directly (no caching), for the values of a reason. */
  read(f: Field): string {
    if (f.kind !== 'req') return this.value(f);
    if (!ROOTS.has(f.root)) throw new Error('unexpected root');
    return f.keys.length === 1
      ? `(t = r.${f.root}, t !== null && typeof t === 'object' && HAS.call(t, ${this.k(f.keys[0])}) ? t[${this.k(f.keys[0])}] : undefined)`
      : `RP(r.${f.root}, ${this.k(f.keys)})`;
  }

  /**
   * The prologue's type check of one enforced typed field (docs/policies.md "Typed fields"): reads it
   * into its variable once, whatever the candidates, and returns `-1 - index` when a present value
   * does not fit (a step on the way that is not an object reads as `B`, which fits nothing).
   */
  check(t: TypedField, index: number): string {
    const { path, root, keys } = t.field;
    if (!ROOTS.has(root)) throw new Error('unexpected root');
    let i = this.fieldVars.get(path);
    if (i === undefined) {
      i = this.fieldVars.size;
      this.fieldVars.set(path, i);
      this.fieldInits.push(`f${i} = U`);
    }
    this.eager.add(path);
    const read =
      keys.length === 1
        ? `(t = r.${root}) === void 0 ? void 0 : t === null || typeof t !== 'object' ? B : HAS.call(t, ${this.k(keys[0])}) ? t[${this.k(keys[0])}] : void 0`
        : `RT(r.${root}, ${this.k(keys)})`;
    const test = typeTestSource(t.type, (v) => this.k(v));
    return `  x = f${i} = ${read};\n  if (x !== void 0 && !(${test})) return ${-1 - (index | 0)};`;
  }

  /** A `case` of the values function: builds `{ [path]: value }` for one policy. */
  valuesCase(i: number, fields: readonly Field[]): string {
    const stores = fields.map((f) => `o[${this.k(f.path)}] = ${this.read(f)};`).join(' ');
    return `    case ${i | 0}: ${stores} break;`;
  }

  /**
   * A leaf. On a request field (except `exists`), a missing value sets `M` and gives false; the
   * caller then settles the policy in three-valued logic (docs/policies.md "Missing fields").
   */
  leaf(f: Field, l: Leaf): string {
    const v = this.value(f);
    if (l.t === 'exists') {
      return l.arg ? `((x = ${v}) !== undefined && x !== null)` : `((x = ${v}) === undefined || x === null)`;
    }
    if (l.t === 'glob' && f.kind === 'action') return `${this.k(l.arg)}(an)`;
    if (f.kind === 'req') {
      this.missingLeaves++;
      return `((x = ${v}) === void 0 ? ((M = 1), false) : ${this.test(f, l)})`;
    }
    return `((x = ${v}), ${this.test(f, l)})`;
  }

  /** The test of a leaf on the value already in `x`. */
  test(f: Field, l: Leaf): string {
    const scalar = this.scalar(f);
    switch (l.t) {
      case 'eq':
        if (scalar) return `x === ${this.k(l.arg)}`;
        // On an array, equality means "some element equals" (as testLeaf).
        return `(x === ${this.k(l.arg)} || (IA(x) && x.includes(${this.k(l.arg)})))`;
      case 'in':
        if (scalar && l.arg.length <= 8) return `(x === ${l.arg.map((a) => this.k(a)).join(' || x === ')})`;
        if (scalar) return `${this.k(new Set(l.arg))}.has(x)`;
        return `TL(${this.k(l)}, x)`;
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte': {
        if (!scalar) return `TL(${this.k(l)}, x)`;
        const op = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[l.t];
        return `(typeof x === 'number' && x ${op} ${this.k(l.arg)})`;
      }
      case 'between':
        if (!scalar) return `TL(${this.k(l)}, x)`;
        return `(typeof x === 'number' && x >= ${this.k(l.arg[0])} && x <= ${this.k(l.arg[1])})`;
      default:
        return `TL(${this.k(l)}, x)`;
    }
  }

  node(n: CondNode): string {
    if (actionOnly(n)) {
      this.actionTests.push(n);
      return `(A[${this.actionTests.length - 1}] === 1)`;
    }
    switch (n.k) {
      case 'all':
        return n.c.length === 0 ? 'true' : `(${n.c.map((c) => this.node(c)).join(' && ')})`;
      case 'any':
        return n.c.length === 0 ? 'false' : `(${n.c.map((c) => this.node(c)).join(' || ')})`;
      case 'not':
        return `!${this.node(n.c)}`;
      default:
        return this.leaf(n.field, n.leaf);
    }
  }
}

/**
 * Builds the matcher for a list of condition trees (one per policy, in document order).
 * Throws when the platform forbids `new Function` (the caller then falls back to the interpreter).
 */
export function generateMatcher(
  conditions: readonly CondNode[],
  fields: ReadonlyArray<readonly Field[]> = [],
  types: ReadonlyMap<string, FieldType> = new Map(),
  checked: readonly TypedField[] = [],
): {
  matcher: Matcher;
  values: ValuesBuilder[];
  /**
   * `values[i](r, s, an, lv)` as one function taking the policy index: a call site that builds
   * reasons for every policy then calls one function (optimised, inlinable) rather than one
   * closure per policy, each of which would have to warm up on its own.
   */
  valuesAt: ValuesAt;
  source: string;
  actionTests: CondNode[];
  /** Per policy: indexes into `actionTests` that must all hold for it to be a candidate. */
  gates: number[][];
} {
  const e = new Emitter(types);
  // Before any case: every enforced typed field, whatever the action (one read each, shared with the cases).
  const prologue = checked.map((t, i) => e.check(t, i));
  // A policy's top-level conjuncts on the action name alone are its gate: they are tested once
  // per distinct action (cached by the caller), which then runs only the candidate policies whose
  // gate holds. The rest of each condition is a `case` of one switch, in document order.
  const gates: number[][] = [];
  const tests = conditions.map((c, i) => {
    const parts = c.k === 'all' && !actionOnly(c) ? c.c : [c];
    const gate: number[] = [];
    const rest: string[] = [];
    const before = e.missingLeaves;
    for (const part of parts) {
      if (actionOnly(part)) {
        e.actionTests.push(part);
        gate.push(e.actionTests.length - 1);
      } else rest.push(e.node(part));
    }
    gates.push(gate);
    const j = i | 0;
    if (rest.length === 0) return `      case ${j}: out[n++] = ${j}; break;`;
    const test = rest.join(' && ');
    if (e.missingLeaves === before) return `      case ${j}: if (${test}) out[n++] = ${j}; break;`;
    // A missing field was read: the two-valued result may be wrong, so the caller settles it.
    return `      case ${j}: M = 0; if (${test}) { if (M === 0) out[n++] = ${j}; else Q[++q] = ${j}; } else if (M !== 0) Q[++q] = ${j}; break;`;
  });
  const vars = ['n = 0', 'q = 0', 'M = 0', 't', 'x', ...e.fieldInits].join(', ');
  // One values function for all policies (so it gets hot and optimised), one case per policy:
  // each store site sees one key, so the stores stay monomorphic.
  const cases = fields.map((f, i) => e.valuesCase(i, f)).join('\n');
  const source = `"use strict";\nreturn { match: function match(r, s, an, lv, out, A, C, Q) {\n  var ${vars};\n${prologue.join('\n')}\n  for (var k = 0, m = C.length; k < m; k++) {\n    switch (C[k]) {\n${tests.join('\n')}\n    }\n  }\n  Q[0] = q;\n  return n;\n}, values: function values(i, r, s, an, lv) {\n  var t, o = {};\n  switch (i) {\n${cases}\n  }\n  return o;\n} };`;
  const factory = new Function('K', 'U', 'HAS', 'RP', 'TL', 'IA', 'B', 'RT', 'IP', 'FV', source) as (
    ...args: unknown[]
  ) => { match: Matcher; values: ValuesAt };
  const built = factory(
    Object.freeze(e.K),
    Object.freeze({}),
    Object.prototype.hasOwnProperty,
    readPath,
    testLeaf,
    Array.isArray,
    BLOCKED,
    readTyped,
    isIpAddress,
    fieldValueFits,
  );
  const values = fields.map(
    (_, i): ValuesBuilder =>
      (r, s, an, lv) =>
        built.values(i, r, s, an, lv),
  );
  return { matcher: built.match, values, valuesAt: built.values, source, actionTests: e.actionTests, gates };
}
