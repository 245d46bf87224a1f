/**
 * The condition interpreter: reads field values and tests leaves. `whatIf` uses it to find the
 * first failing condition; when code generation is unavailable (a CSP without `unsafe-eval`),
 * `evaluate` uses it too. codegen.ts must agree with it (a property test checks).
 */
import type { CondNode, Leaf } from './condition.js';
import { type Field, readPath } from './fields.js';
import { ipInRanges, parseIp } from './ip.js';
import type { Signals } from './signals.js';
import type { FailedCondition } from './types.js';

/** What a condition reads: the request, its action name and session level, and the signals. */
export interface MatchContext {
  readonly r: Record<string, unknown>;
  readonly an: string;
  readonly lv: string;
  readonly s: Signals;
}

/** The value of a field for one request. */
export function fieldValue(field: Field, m: MatchContext): unknown {
  switch (field.kind) {
    case 'action':
      return m.an;
    case 'level':
      return m.lv;
    case 'sig':
      return m.s[field.key];
    default:
      return readPath(m.r[field.root], field.keys);
  }
}

function testOne(l: Leaf, v: unknown): boolean {
  switch (l.t) {
    case 'eq':
      return v === l.arg;
    case 'in':
      return l.arg.includes(v as never);
    case 'gt':
      return typeof v === 'number' && v > l.arg;
    case 'gte':
      return typeof v === 'number' && v >= l.arg;
    case 'lt':
      return typeof v === 'number' && v < l.arg;
    case 'lte':
      return typeof v === 'number' && v <= l.arg;
    case 'between':
      return typeof v === 'number' && v >= l.arg[0] && v <= l.arg[1];
    case 'glob':
      return typeof v === 'string' && l.arg(v);
    case 'cidr':
      return ipInRanges(l.arg, parseIp(v));
    case 'exists':
      return (v !== undefined && v !== null) === l.arg;
  }
}

/**
 * Tests a leaf. On an array value (such as `subject.roles` or `risk.ip.reputation`), `eq`, `in`,
 * `glob` and `cidr` match when any element does; `exists` looks at the array itself.
 */
export function testLeaf(l: Leaf, v: unknown): boolean {
  if (Array.isArray(v) && l.t !== 'exists') {
    for (const x of v) if (testOne(l, x)) return true;
    return false;
  }
  return testOne(l, v);
}

/** Evaluates a condition tree in two-valued logic (action-only subtrees, which cannot be unknown). */
export function matches(node: CondNode, m: MatchContext): boolean {
  return truth(node, m) === TRUE;
}

/** Three-valued (Kleene) results: false, true, unknown. */
export const FALSE = 0;
export const TRUE = 1;
export const UNKNOWN = 2;
/** A three-valued result. */
export type Truth = typeof FALSE | typeof TRUE | typeof UNKNOWN;

/** A leaf reads a request field that is missing: its value is unknown (`exists` never is). */
const isMissing = (node: Extract<CondNode, { k: 'leaf' }>, v: unknown): boolean =>
  v === undefined && node.field.kind === 'req' && node.op !== 'exists';

/**
 * Evaluates a condition tree in Kleene's three-valued logic (docs/policies.md "Missing fields"):
 * a leaf on a missing request field is unknown; `all` is false if any child is false, else
 * unknown if any is; `any` is true if any child is true, else unknown if any is; `not` keeps
 * unknown. `missing`, when given, receives the paths of the missing fields an unknown result
 * depends on (fields under a child whose result was decided anyway are left out).
 */
export function truth(node: CondNode, m: MatchContext, missing?: string[]): Truth {
  switch (node.k) {
    case 'all':
    case 'any': {
      const decisive = node.k === 'all' ? FALSE : TRUE;
      let result: Truth = node.k === 'all' ? TRUE : FALSE;
      for (const c of node.c) {
        const mark = missing?.length ?? 0;
        const x = truth(c, m, missing);
        if (x === decisive) {
          if (missing !== undefined) missing.length = mark;
          return decisive;
        }
        if (x === UNKNOWN) result = UNKNOWN;
        else if (missing !== undefined) missing.length = mark;
      }
      return result;
    }
    case 'not': {
      const x = truth(node.c, m, missing);
      return x === UNKNOWN ? UNKNOWN : x === TRUE ? FALSE : TRUE;
    }
    default: {
      const v = fieldValue(node.field, m);
      if (isMissing(node, v)) {
        if (missing !== undefined && !missing.includes(node.field.path)) missing.push(node.field.path);
        return UNKNOWN;
      }
      return testLeaf(node.leaf, v) ? TRUE : FALSE;
    }
  }
}

/** The first failing (or, for an unknown tree, the first unknown) condition of a tree; `undefined` when it holds. */
export function firstFailure(node: CondNode, m: MatchContext): FailedCondition | undefined {
  const t = truth(node, m);
  return t === TRUE ? undefined : explain(node, m, t);
}

/** Why a tree whose result is `t` (false or unknown) does not hold. */
function explain(node: CondNode, m: MatchContext, t: Truth): FailedCondition {
  const missing = t === UNKNOWN ? ({ missing: true } as const) : {};
  switch (node.k) {
    case 'all':
      for (const c of node.c) if (truth(c, m) === t) return explain(c, m, t);
      break;
    case 'any': {
      const actual = node.c.map((c) => {
        const x = truth(c, m);
        return explain(c, m, x === TRUE ? FALSE : x);
      });
      return {
        path: node.at,
        field: 'any',
        op: 'any',
        expected: 'one of the conditions',
        actual,
        ...missing,
      };
    }
    case 'not':
      if (t === UNKNOWN) return explain(node.c, m, UNKNOWN);
      return { path: node.at, field: 'not', op: 'not', expected: false, actual: true };
    default:
      return {
        path: node.at,
        field: node.field.path,
        op: node.op,
        expected: node.src,
        actual: fieldValue(node.field, m),
        ...missing,
      };
  }
  return { path: node.at, field: node.k, op: node.k, expected: true, actual: false, ...missing };
}

/** The distinct fields a tree reads, in document order (for `Reason.values`). */
export function fieldsOf(node: CondNode, out: Field[] = []): Field[] {
  if (node.k === 'leaf') {
    if (!out.some((f) => f.path === node.field.path)) out.push(node.field);
  } else if (node.k === 'not') fieldsOf(node.c, out);
  else for (const c of node.c) fieldsOf(c, out);
  return out;
}
