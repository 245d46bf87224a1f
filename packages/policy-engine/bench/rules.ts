/**
 * The shared benchmark rule sets (about 12 and about 50 rules) in a neutral form, and their
 * translations for Stepgate, json-rules-engine, casbin and Cedar. Every engine sees the same
 * rules; decisions and levels are compared on every context before anything is timed.
 */
import type { Level } from '@stepgate/protocol';
import type { PolicyDocument, PolicyRule } from '../src/index.js';

/** A predicate over the flat facts every peer receives. */
export type Pred =
  | { f: 'action'; op: 'eq'; v: string }
  | { f: 'action'; op: 'in'; v: string[] }
  | { f: 'action'; op: 'prefix'; v: string }
  | { f: 'amount'; op: 'gt'; v: number }
  | { f: 'amount'; op: 'between'; v: [number, number] }
  | { f: 'age'; op: 'gt'; v: number }
  | { f: 'deviceNew' | 'tor' | 'suspended' | 'office'; op: 'true' };

/** A rule in neutral form. */
export interface BenchRule {
  id: string;
  effect: 'allow' | 'step_up' | 'deny';
  level?: Level;
  maxAge?: number;
  methods?: Array<'webauthn' | 'biometric' | 'totp'>;
  preds: Pred[];
}

const BASE: BenchRule[] = [
  {
    id: 'transfer',
    effect: 'step_up',
    level: 'aal1',
    maxAge: 0,
    preds: [
      { f: 'action', op: 'eq', v: 'payments.transfer' },
      { f: 'amount', op: 'gt', v: 500 },
    ],
  },
  {
    id: 'big-transfer',
    effect: 'step_up',
    level: 'aal2',
    maxAge: 0,
    preds: [
      { f: 'action', op: 'eq', v: 'payments.transfer' },
      { f: 'amount', op: 'gt', v: 10000 },
    ],
  },
  {
    id: 'escalation',
    effect: 'step_up',
    level: 'aal3',
    maxAge: 0,
    methods: ['webauthn', 'biometric'],
    preds: [{ f: 'action', op: 'in', v: ['iam.role.grant', 'iam.role.change'] }],
  },
  {
    id: 'admin',
    effect: 'step_up',
    level: 'aal2',
    maxAge: 900,
    preds: [{ f: 'action', op: 'prefix', v: 'admin.' }],
  },
  {
    id: 'admin-office',
    effect: 'allow',
    preds: [
      { f: 'action', op: 'prefix', v: 'admin.' },
      { f: 'office', op: 'true' },
    ],
  },
  { id: 'tor', effect: 'deny', preds: [{ f: 'tor', op: 'true' }] },
  {
    id: 'new-device-amount',
    effect: 'step_up',
    level: 'aal2',
    maxAge: 300,
    preds: [
      { f: 'deviceNew', op: 'true' },
      { f: 'amount', op: 'gt', v: 1000 },
    ],
  },
  { id: 'suspended', effect: 'deny', preds: [{ f: 'suspended', op: 'true' }] },
  { id: 'reports', effect: 'allow', preds: [{ f: 'action', op: 'prefix', v: 'reports.' }] },
  {
    id: 'refund',
    effect: 'step_up',
    level: 'aal2',
    maxAge: 300,
    preds: [
      { f: 'action', op: 'eq', v: 'payments.refund' },
      { f: 'amount', op: 'between', v: [100, 5000] },
    ],
  },
  {
    id: 'email-change',
    effect: 'step_up',
    level: 'aal2',
    maxAge: 300,
    preds: [{ f: 'action', op: 'eq', v: 'profile.email.change' }],
  },
  {
    id: 'old-session-payments',
    effect: 'step_up',
    level: 'aal1',
    maxAge: 0,
    preds: [
      { f: 'action', op: 'prefix', v: 'payments.' },
      { f: 'age', op: 'gt', v: 43200 },
    ],
  },
];

/** 38 more rules of the shapes a real document grows: per-service writes with amount thresholds. */
function family(n: number): BenchRule[] {
  return Array.from({ length: n }, (_, k): BenchRule => {
    const action = { f: 'action' as const, op: 'eq' as const, v: `svc${k}.write` };
    if (k % 7 === 3)
      return {
        id: `svc${k}-deny`,
        effect: 'deny',
        preds: [action, { f: 'deviceNew', op: 'true' }, { f: 'amount', op: 'gt', v: 5000 + 100 * k }],
      };
    const level: Level = k % 3 === 0 ? 'aal2' : 'aal1';
    return {
      id: `svc${k}`,
      effect: 'step_up',
      level,
      maxAge: level === 'aal1' ? 0 : 600,
      preds: [action, { f: 'amount', op: 'gt', v: 100 * (k + 1) }],
    };
  });
}

/** The two shared rule sets. */
export const RULE_SETS: Record<'12' | '50', BenchRule[]> = { '12': BASE, '50': [...BASE, ...family(38)] };

/** Every action name the contexts draw from. */
export const ACTIONS = [
  'payments.transfer',
  'payments.refund',
  'payments.list',
  'iam.role.grant',
  'iam.role.change',
  'admin.users',
  'admin.settings',
  'reports.read',
  'reports.export',
  'profile.email.change',
  'profile.read',
  ...Array.from({ length: 40 }, (_, k) => `svc${k}.write`),
];

export const TOR = '185.220.100.0/22';
export const OFFICE = '192.0.2.0/24';

function stepgateWhen(p: Pred): Record<string, unknown> {
  switch (p.f) {
    case 'action':
      return { action: p.op === 'prefix' ? `${p.v}**` : p.v };
    case 'amount':
      return { 'transaction.amount': p.op === 'gt' ? { gt: p.v } : { between: p.v } };
    case 'age':
      return { 'risk.session.ageSeconds': { gt: p.v } };
    case 'deviceNew':
      return { 'risk.device.new': true };
    case 'tor':
      return { 'risk.ip.reputation': 'tor' };
    case 'suspended':
      return { 'subject.roles': 'suspended' };
    case 'office':
      return { 'context.ip': { ipList: 'office' } };
  }
}

/** The Stepgate document. */
export function toStepgate(rules: BenchRule[]): PolicyDocument {
  return {
    ipLists: { tor: [TOR], office: [OFFICE] },
    risk: { lists: { tor: 1 } },
    policies: rules.map((r): PolicyRule => {
      const when = Object.assign({}, ...r.preds.map(stepgateWhen));
      if (r.effect !== 'step_up') return { id: r.id, when, effect: r.effect };
      const require: NonNullable<PolicyRule['require']> = { level: r.level ?? 'aal1' };
      if (r.maxAge !== undefined) require.maxAge = r.maxAge;
      if (r.methods) require.methods = r.methods;
      return { id: r.id, when, require };
    }),
    default: 'allow',
  };
}

/** json-rules-engine rules (`prefix` is a custom operator). */
export function toJre(rules: BenchRule[]) {
  const cond = (p: Pred) => {
    if (p.op === 'true') return { fact: p.f, operator: 'equal', value: true };
    if (p.op === 'between')
      return {
        all: [
          { fact: p.f, operator: 'greaterThanInclusive', value: p.v[0] },
          { fact: p.f, operator: 'lessThanInclusive', value: p.v[1] },
        ],
      };
    const operator = { eq: 'equal', in: 'in', prefix: 'prefix', gt: 'greaterThan' }[p.op];
    return { fact: p.f, operator, value: p.v };
  };
  return rules.map((r) => ({ conditions: { all: r.preds.map(cond) }, event: { type: r.id } }));
}

/** Casbin policies: one `eval()` rule each, in priority order (deny, then step-ups by level, then allow). */
export function toCasbin(rules: BenchRule[]): Array<[string, string]> {
  const q = (s: string) => `'${s}'`;
  const expr = (p: Pred): string => {
    switch (p.op) {
      case 'true':
        return `r.sub.${p.f} == true`;
      case 'eq':
        return `r.sub.${p.f} == ${q(p.v)}`;
      case 'in':
        return `(${p.v.map((v) => `r.sub.${p.f} == ${q(v)}`).join(' || ')})`;
      case 'prefix':
        return `regexMatch(r.sub.${p.f}, '^${p.v.replace('.', '\\\\.')}')`;
      case 'gt':
        return `r.sub.${p.f} > ${p.v}`;
      case 'between':
        return `r.sub.${p.f} >= ${p.v[0]} && r.sub.${p.f} <= ${p.v[1]}`;
    }
  };
  const rank = (r: BenchRule) =>
    r.effect === 'deny' ? 0 : r.effect === 'step_up' ? 4 - Number((r.level ?? 'aal1').slice(3)) : 9;
  return [...rules].sort((a, b) => rank(a) - rank(b)).map((r) => [r.preds.map(expr).join(' && '), r.id]);
}

/** Cedar policies: a blanket permit, and a `forbid` per deny or step-up rule (reasons name them). */
export function toCedar(rules: BenchRule[]): Record<string, string> {
  const s = (v: string) => JSON.stringify(v);
  const expr = (p: Pred): string => {
    switch (p.op) {
      case 'true':
        return `context.${p.f}`;
      case 'eq':
        return `context.${p.f} == ${s(p.v)}`;
      case 'in':
        return `[${p.v.map(s).join(', ')}].contains(context.${p.f})`;
      case 'prefix':
        return `context.${p.f} like ${s(`${p.v}*`)}`;
      case 'gt':
        return `context.${p.f} > ${p.v}`;
      case 'between':
        return `context.${p.f} >= ${p.v[0]} && context.${p.f} <= ${p.v[1]}`;
    }
  };
  const out: Record<string, string> = { base: 'permit(principal, action, resource);' };
  for (const r of rules) {
    if (r.effect === 'allow') continue;
    out[r.id] = `forbid(principal, action, resource) when { ${r.preds.map(expr).join(' && ')} };`;
  }
  return out;
}

/** Decision and level from the ids of matched rules (what every peer can express). */
export function decide(rules: Map<string, BenchRule>, matched: Iterable<string>): string {
  let deny = false;
  let level = 0;
  for (const id of matched) {
    const r = rules.get(id);
    if (r === undefined) continue;
    if (r.effect === 'deny') deny = true;
    else if (r.effect === 'step_up') level = Math.max(level, Number((r.level ?? 'aal1').slice(3)));
  }
  return deny ? 'deny' : level > 0 ? `step_up:aal${level}` : 'allow';
}
