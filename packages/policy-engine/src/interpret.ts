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

/** Evaluates a condition tree. */
export function matches(node: CondNode, m: MatchContext): boolean {
  switch (node.k) {
    case 'all':
      for (const c of node.c) if (!matches(c, m)) return false;
      return true;
    case 'any':
      for (const c of node.c) if (matches(c, m)) return true;
      return false;
    case 'not':
      return !matches(node.c, m);
    default:
      return testLeaf(node.leaf, fieldValue(node.field, m));
  }
}

/** The first failing condition of a tree, or `undefined` when it matches. */
export function firstFailure(node: CondNode, m: MatchContext): FailedCondition | undefined {
  switch (node.k) {
    case 'all':
      for (const c of node.c) {
        const f = firstFailure(c, m);
        if (f !== undefined) return f;
      }
      return undefined;
    case 'any': {
      const failures: FailedCondition[] = [];
      for (const c of node.c) {
        const f = firstFailure(c, m);
        if (f === undefined) return undefined;
        failures.push(f);
      }
      return { path: node.at, field: 'any', op: 'any', expected: 'one of the conditions', actual: failures };
    }
    case 'not':
      return matches(node.c, m)
        ? { path: node.at, field: 'not', op: 'not', expected: false, actual: true }
        : undefined;
    default: {
      const v = fieldValue(node.field, m);
      return testLeaf(node.leaf, v)
        ? undefined
        : { path: node.at, field: node.field.path, op: node.op, expected: node.src, actual: v };
    }
  }
}

/** The distinct fields a tree reads, in document order (for `Reason.values`). */
export function fieldsOf(node: CondNode, out: Field[] = []): Field[] {
  if (node.k === 'leaf') {
    if (!out.some((f) => f.path === node.field.path)) out.push(node.field);
  } else if (node.k === 'not') fieldsOf(node.c, out);
  else for (const c of node.c) fieldsOf(c, out);
  return out;
}
