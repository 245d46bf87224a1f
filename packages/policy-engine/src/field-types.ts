/**
 * Typed fields (docs/policies.md "Typed fields"): every request field a condition compares gets
 * one type for the whole document — declared in `fields`, fixed by the decision request's JSON
 * Schema (`subject.authTime` is a number), or inferred from its operators (`gt` → number, `eq`
 * over strings → string, `cidr` → ip, `exists` → none). A field used with two types is a located
 * `invalid_policy` problem. Risk signals (`risk.*`) are computed by the engine and not typed here.
 */
import { type FieldType, isFieldType } from '@stepgate/protocol';
import type { CondNode } from './condition.js';
import { type Field, resolveField } from './fields.js';
import type { PolicyDocument } from './types.js';

/**
 * Types the decision request's JSON Schema gives (protocol `decisionRequestSchema`): a policy may
 * only narrow a string to `ip`. `action` and `subject.level` are derived strings.
 */
const KNOWN: Readonly<Record<string, FieldType>> = {
  action: 'string',
  'action.name': 'string',
  'subject.level': 'string',
  'subject.id': 'string',
  'subject.sessionId': 'string',
  'subject.authTime': 'number',
  'subject.acr': 'string',
  'subject.roles': 'string[]',
  'resource.type': 'string',
  'resource.id': 'string',
  'context.ip': 'string',
  'context.userAgent': 'string',
  'context.geo.country': 'string',
  'context.geo.lat': 'number',
  'context.geo.lon': 'number',
  'context.device.deviceId': 'string',
  'context.device.fingerprint': 'string',
  'context.device.signals.tz': 'string',
  'context.device.signals.lang': 'string',
  'context.device.signals.screen': 'string',
  'context.device.signals.platform': 'string',
  'context.device.signals.cores': 'number',
  'context.device.signals.memory': 'number',
  'context.device.signals.touch': 'number',
  'context.device.signals.colorDepth': 'number',
  'context.device.signals.webgl': 'string',
  'context.device.signals.webdriver': 'boolean',
  'context.device.signals.webauthn': 'boolean',
  'context.device.signals.platformAuthenticator': 'boolean',
  'context.device.signals.webview': 'string',
};

/** A request field with its type, as the compiled document checks it on every request. */
export interface TypedField {
  readonly field: Extract<Field, { kind: 'req' }>;
  readonly type: FieldType;
  /** Indexes of the policies that compare it, ascending. */
  readonly policies: readonly number[];
  /** Declared in the document's `fields`. */
  readonly declared: boolean;
  /** Only report-only policies compare it and it is not declared. */
  readonly reportOnly: boolean;
}

/** What one leaf says about its field's type: a scalar type, and where. */
interface Use {
  type: 'string' | 'number' | 'boolean' | 'ip';
  at: string;
  policy: number;
}

const elementOf = (t: FieldType): string => (t.endsWith('[]') ? t.slice(0, -2) : t);

/** A scalar use fits a type: the same (or its list, compared element-wise), or a string on an ip. */
const fits = (use: Use['type'], type: FieldType): boolean =>
  elementOf(type) === use || (use === 'string' && elementOf(type) === 'ip');

/** `string` narrowed to `ip` (kept a list when it was one). */
const narrowToIp = (t: FieldType): FieldType => (t.endsWith('[]') ? 'ip[]' : 'ip');

const scalarType = (v: unknown): Use['type'] =>
  typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'string';

/** The typed uses of every leaf of a tree. */
function usesOf(node: CondNode, policy: number, out: Map<string, { field: Field; uses: Use[] }>): void {
  if (node.k === 'not') {
    usesOf(node.c, policy, out);
    return;
  }
  if (node.k !== 'leaf') {
    for (const c of node.c) usesOf(c, policy, out);
    return;
  }
  if (node.field.kind === 'sig') return;
  const l = node.leaf;
  const types: Use['type'][] =
    l.t === 'eq'
      ? [scalarType(l.arg)]
      : l.t === 'in'
        ? [...new Set(l.arg.map(scalarType))]
        : l.t === 'glob'
          ? ['string']
          : l.t === 'cidr'
            ? ['ip']
            : l.t === 'exists'
              ? []
              : ['number'];
  if (types.length === 0) return;
  let entry = out.get(node.field.path);
  if (entry === undefined) {
    entry = { field: node.field, uses: [] };
    out.set(node.field.path, entry);
  }
  for (const type of types) entry.uses.push({ type, at: node.at, policy });
}

const ptr = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Types every request field the conditions compare or the document declares; problems (a field
 * used with two types, a declaration that contradicts the request schema or a use, a declared
 * path that is not a request field) go to `issues` with their JSON path.
 */
export function typeFields(
  doc: PolicyDocument,
  conditions: readonly CondNode[],
  issues: Array<{ path: string; message: string }>,
): TypedField[] {
  const used = new Map<string, { field: Field; uses: Use[] }>();
  conditions.forEach((c, i) => {
    usesOf(c, i, used);
  });
  const declared = new Map<string, { type: FieldType; at: string; field: Field }>();
  for (const [path, type] of Object.entries(doc.fields ?? {})) {
    const at = `/fields/${ptr(path)}`;
    const field = resolveField(path);
    if (typeof field === 'string') {
      issues.push({ path: at, message: field });
      continue;
    }
    if (field.kind !== 'req') {
      issues.push({
        path: at,
        message: `"${path}" is not a request field; only request fields are declared`,
      });
      continue;
    }
    if (!isFieldType(type)) continue; // the JSON Schema already reported it
    const known = KNOWN[path];
    if (
      known !== undefined &&
      type !== known &&
      !(elementOf(known) === 'string' && narrowToIp(known) === type)
    ) {
      issues.push({
        path: at,
        message: `"${path}" is ${article(known)} in the decision request, not ${article(type)}`,
      });
      continue;
    }
    declared.set(path, { type, at, field });
  }

  const out: TypedField[] = [];
  const paths = new Set([...used.keys(), ...declared.keys()]);
  for (const path of paths) {
    const entry = used.get(path);
    const field = (entry?.field ?? declared.get(path)?.field) as Field;
    const decl = declared.get(path);
    const known = KNOWN[path];
    // The type so far, where it came from, and whether a use may still narrow it (string → ip).
    let type: FieldType | undefined = decl?.type ?? known;
    let source = decl
      ? `declared ${decl.type} at ${decl.at}`
      : known
        ? `${article(known)} in the decision request`
        : '';
    let narrowable = decl === undefined;
    const policies = new Set<number>();
    for (const use of entry?.uses ?? []) {
      if (type === undefined) {
        type = use.type;
        source = `compared as ${article(use.type)} at ${use.at}`;
      } else if (narrowable && use.type === 'ip' && elementOf(type) === 'string') {
        type = narrowToIp(type);
        narrowable = false;
      } else if (!fits(use.type, type)) {
        issues.push({
          path: use.at,
          message: `"${path}" is used with two types: ${article(use.type)} here, but it is ${source}`,
        });
        continue;
      }
      policies.add(use.policy);
    }
    if (type === undefined || field.kind !== 'req') continue;
    const readers = [...policies].sort((a, b) => a - b);
    const reportOnly = decl === undefined && readers.every((i) => doc.policies[i]?.mode === 'report-only');
    out.push({ field, type, policies: readers, declared: decl !== undefined, reportOnly });
  }
  // Enforced fields first: the request check stops at the first of them that does not fit.
  return [...out.filter((f) => !f.reportOnly), ...out.filter((f) => f.reportOnly)];
}

/**
 * A type in words, for messages: `a number`, `an IP address`, `a list of strings`.
 *
 * @example
 * article('ip[]'); // 'a list of IP addresses'
 */
export function article(type: string): string {
  if (type === 'ip') return 'an IP address';
  if (type === 'ip[]') return 'a list of IP addresses';
  return type.endsWith('[]') ? `a list of ${type.slice(0, -2)}s` : `a ${type}`;
}
