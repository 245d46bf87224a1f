/**
 * Conditions: the `when` grammar (docs/policies.md "Conditions") compiled to a small tree.
 * The tree is both interpreted (by `whatIf`, which reports the first failing condition) and
 * turned into generated code (codegen.ts) for `evaluate`.
 */
import { parseDuration } from './duration.js';
import { type Field, resolveField } from './fields.js';
import { compileGlob, type GlobMatcher, isGlob } from './glob.js';
import { cidrError, compileRanges, type RangeSet } from './ip.js';

/** A primitive operand. */
export type Scalar = string | number | boolean;

/** A leaf test on one field. */
export type Leaf =
  | { t: 'eq'; arg: Scalar }
  | { t: 'in'; arg: readonly Scalar[] }
  | { t: 'gt' | 'gte' | 'lt' | 'lte'; arg: number }
  | { t: 'between'; arg: readonly [number, number] }
  | { t: 'glob'; arg: GlobMatcher }
  | { t: 'cidr'; arg: RangeSet }
  | { t: 'exists'; arg: boolean };

/** A condition tree node. `at` is its JSON pointer in the document; `src` what the document wrote. */
export type CondNode =
  | { k: 'all' | 'any'; at: string; c: CondNode[] }
  | { k: 'not'; at: string; c: CondNode }
  | { k: 'leaf'; at: string; field: Field; op: Leaf['t']; leaf: Leaf; src: unknown };

/** Where to report problems, and the named IP lists. */
export interface CondContext {
  issues: Array<{ path: string; message: string }>;
  lists: ReadonlyMap<string, readonly string[]>;
}

const OPS = new Set(['eq', 'in', 'gt', 'gte', 'lt', 'lte', 'between', 'glob', 'cidr', 'ipList', 'exists']);
const ptr = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');
const isScalar = (v: unknown): v is Scalar =>
  typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** Compiles a `when` value (a mapping or a list) into a tree; problems go to `ctx.issues`. */
export function compileCondition(raw: unknown, at: string, ctx: CondContext): CondNode {
  if (Array.isArray(raw)) {
    return { k: 'all', at, c: raw.map((item, i) => compileCondition(item, `${at}/${i}`, ctx)) };
  }
  if (!isPlainObject(raw)) {
    ctx.issues.push({ path: at, message: 'a condition must be a mapping or a list of conditions' });
    return { k: 'all', at, c: [] };
  }
  const c: CondNode[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const here = `${at}/${ptr(key)}`;
    if (key === 'all' || key === 'any') {
      if (!Array.isArray(value)) {
        ctx.issues.push({ path: here, message: `"${key}" takes a list of conditions` });
        continue;
      }
      c.push({ k: key, at: here, c: value.map((item, i) => compileCondition(item, `${here}/${i}`, ctx)) });
    } else if (key === 'not') {
      c.push({ k: 'not', at: here, c: compileCondition(value, here, ctx) });
    } else {
      const field = resolveField(key);
      if (typeof field === 'string') ctx.issues.push({ path: here, message: field });
      else c.push(...compileOperand(field, value, here, ctx));
    }
  }
  return c.length === 1 && c[0] !== undefined && c[0].k !== 'leaf' ? c[0] : { k: 'all', at, c };
}

function leaf(field: Field, at: string, l: Leaf, src: unknown): CondNode {
  return { k: 'leaf', at, field, op: l.t, leaf: l, src };
}

/** Equality or set membership; on `action`, strings with `*` are globs. */
function compileValues(field: Field, values: unknown[], at: string, ctx: CondContext): CondNode | undefined {
  const plain: Scalar[] = [];
  const globs: CondNode[] = [];
  values.forEach((v, i) => {
    if (!isScalar(v)) {
      ctx.issues.push({
        path: values.length === 1 ? at : `${at}/${i}`,
        message: 'expected a string, number or boolean',
      });
    } else if (field.kind === 'action' && typeof v === 'string' && isGlob(v)) {
      globs.push(leaf(field, at, { t: 'glob', arg: compileGlob(v) }, v));
    } else {
      plain.push(v);
    }
  });
  const nodes = [...globs];
  if (plain.length === 1) nodes.unshift(leaf(field, at, { t: 'eq', arg: plain[0] as Scalar }, plain[0]));
  else if (plain.length > 1) nodes.unshift(leaf(field, at, { t: 'in', arg: plain }, plain));
  if (nodes.length === 0) return undefined;
  return nodes.length === 1 ? nodes[0] : { k: 'any', at, c: nodes };
}

function numberOperand(v: unknown, at: string, ctx: CondContext): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  const d = typeof v === 'string' ? parseDuration(v) : undefined;
  if (d === undefined) ctx.issues.push({ path: at, message: 'expected a number or a duration such as 5m' });
  return d;
}

function compileOperand(field: Field, value: unknown, at: string, ctx: CondContext): CondNode[] {
  if (!isPlainObject(value)) {
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0) ctx.issues.push({ path: at, message: 'an empty list never matches' });
    const node = compileValues(field, values, at, ctx);
    return node === undefined ? [] : [node];
  }
  const out: CondNode[] = [];
  for (const [op, arg] of Object.entries(value)) {
    const here = `${at}/${ptr(op)}`;
    if (!OPS.has(op)) {
      ctx.issues.push({ path: here, message: `unknown operator "${op}" (known: ${[...OPS].join(', ')})` });
      continue;
    }
    if (op === 'eq' || op === 'in') {
      const values = op === 'in' && Array.isArray(arg) ? arg : [arg];
      if (op === 'in' && !Array.isArray(arg)) ctx.issues.push({ path: here, message: '"in" takes a list' });
      else if (values.length === 0) ctx.issues.push({ path: here, message: 'an empty list never matches' });
      const node = compileValues(field, values, here, ctx);
      if (node !== undefined) out.push(node);
    } else if (op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte') {
      const n = numberOperand(arg, here, ctx);
      if (n !== undefined) out.push(leaf(field, here, { t: op, arg: n }, arg));
    } else if (op === 'between') {
      if (!Array.isArray(arg) || arg.length !== 2) {
        ctx.issues.push({ path: here, message: '"between" takes [low, high]' });
        continue;
      }
      const lo = numberOperand(arg[0], `${here}/0`, ctx);
      const hi = numberOperand(arg[1], `${here}/1`, ctx);
      if (lo !== undefined && hi !== undefined && lo > hi) {
        ctx.issues.push({ path: here, message: `"between" low ${lo} is above high ${hi}` });
      } else if (lo !== undefined && hi !== undefined) {
        out.push(leaf(field, here, { t: 'between', arg: [lo, hi] }, arg));
      }
    } else if (op === 'glob') {
      const patterns = Array.isArray(arg) ? arg : [arg];
      const nodes: CondNode[] = [];
      patterns.forEach((p, i) => {
        if (typeof p !== 'string' || p.length === 0 || p.length > 256) {
          ctx.issues.push({
            path: Array.isArray(arg) ? `${here}/${i}` : here,
            message: 'a glob is a non-empty string',
          });
        } else nodes.push(leaf(field, here, { t: 'glob', arg: compileGlob(p) }, p));
      });
      if (nodes.length > 0)
        out.push(nodes.length === 1 ? (nodes[0] as CondNode) : { k: 'any', at: here, c: nodes });
    } else if (op === 'cidr' || op === 'ipList') {
      const cidrs = compileCidrOperand(op, arg, here, ctx);
      if (cidrs !== undefined) out.push(leaf(field, here, { t: 'cidr', arg: compileRanges(cidrs) }, arg));
    } else if (typeof arg !== 'boolean') {
      ctx.issues.push({ path: here, message: '"exists" takes true or false' });
    } else {
      out.push(leaf(field, here, { t: 'exists', arg }, arg));
    }
  }
  return out;
}

function compileCidrOperand(op: string, arg: unknown, at: string, ctx: CondContext): string[] | undefined {
  const items = Array.isArray(arg) ? arg : [arg];
  const cidrs: string[] = [];
  let ok = items.length > 0;
  items.forEach((item, i) => {
    const here = Array.isArray(arg) ? `${at}/${i}` : at;
    if (op === 'ipList') {
      const list = typeof item === 'string' ? ctx.lists.get(item) : undefined;
      if (list === undefined) {
        ctx.issues.push({ path: here, message: `unknown IP list ${JSON.stringify(item)}` });
        ok = false;
      } else cidrs.push(...list);
      return;
    }
    const error = cidrError(item);
    if (error !== undefined) {
      ctx.issues.push({ path: here, message: error });
      ok = false;
    } else cidrs.push(item as string);
  });
  if (items.length === 0) ctx.issues.push({ path: at, message: `"${op}" needs at least one entry` });
  return ok ? cidrs : undefined;
}
