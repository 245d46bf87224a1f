/**
 * `compilePolicy`: validates and normalises a document once, generates one matching function,
 * and returns the compiled policy with `evaluate` and `whatIf`.
 */
import {
  type AcrValues,
  DEFAULT_ACR_VALUES,
  LEVELS,
  type Level,
  METHODS,
  type Method,
  type Performer,
  type Reason,
} from '@stepgate/protocol';
import { generateMatcher, type Matcher } from './codegen.js';
import {
  type CombineConfig,
  type CombineInput,
  combine,
  interpretedValues,
  invalidReason,
  type RuntimePolicy,
} from './combine.js';
import type { CondNode } from './condition.js';
import { parseDuration } from './duration.js';
import { PolicyError } from './errors.js';
import { EMPTY_HISTORY, inputProblem } from './input.js';
import { fieldsOf, firstFailure, type MatchContext, matches, TRUE, truth, UNKNOWN } from './interpret.js';
import { LazyRisk } from './lazy-risk.js';
import {
  DEFAULT_METHOD_LEVELS,
  levelRank,
  METHOD_PREFERENCE,
  methodBit,
  methodCap,
  methodMask,
  sessionLevel,
} from './methods.js';
import { onMissingOf } from './on-missing.js';
import { groupsOf, riskConfig } from './risk-config.js';
import { settle } from './settle.js';
import { computeSignals } from './signals.js';
import { compileTypeCheck, invalidField } from './type-check.js';
import type {
  CompiledPolicy,
  CompileOptions,
  EvaluationInput,
  FieldInfo,
  IdpReach,
  InvalidField,
  PolicyDocument,
  PolicyRule,
  Verdict,
  WhatIfResult,
} from './types.js';
import { checkDocument } from './validate.js';
import { documentVersion } from './version.js';

/**
 * Compiles a policy document into one decision function. Validates it first (schema, then
 * semantics) and throws a `PolicyError` (code `invalid_policy`, with JSON paths) when malformed.
 *
 * @throws PolicyError `invalid_policy`
 * @example
 * const policy = compilePolicy(parsePolicyDocument(yamlText, { filename: 'policies.yaml' }));
 * const verdict = policy.evaluate({ request, now: Math.floor(Date.now() / 1000), history });
 */
export function compilePolicy(doc: PolicyDocument, options: CompileOptions = {}): CompiledPolicy {
  const { issues, checked } = checkDocument(doc, options.ipLists, options.idps);
  if (checked === undefined) throw new PolicyError('invalid_policy', issues);
  const performers = performerTable(doc, options.idps);
  const acrValues: AcrValues = options.acrValues ?? DEFAULT_ACR_VALUES;
  const levels = { ...DEFAULT_METHOD_LEVELS } as Record<Method, Level>;
  const caps = METHODS.map(() => -1);
  const enabled: Method[] = [];
  for (const m of METHODS) {
    const v = doc.methods?.[m];
    if (v === false) continue;
    if (v !== undefined) levels[m] = v;
    caps[METHODS.indexOf(m)] = levelRank(methodCap(m, levels[m]));
    enabled.push(m);
  }
  const reachable = LEVELS.map((_, rank) =>
    METHODS.reduce((mask, m, i) => ((caps[i] ?? -1) >= rank ? mask | methodBit(m) : mask), 0),
  );
  const defaultReason = Object.freeze({
    policyId: 'default',
    code: 'default_effect',
    detail: `no policy matched; the document's default is ${doc.default}`,
  });
  const cfg: CombineConfig = {
    acrValues,
    defaultEffect: doc.default,
    defaultDetail: defaultReason.detail,
    reachable,
    caps,
    defaultReasons: Object.freeze([defaultReason]) as unknown as Reason[],
    metBySession: LEVELS.map((level) =>
      Object.freeze({
        policyId: 'stepgate',
        code: 'requirement_met_by_session',
        detail: `the session already meets ${level}`,
      }),
    ),
    requirements: new Map(),
    performerNames: performers.names,
    performerReach: performers.reach,
    performersByMethods: performers.byMethods,
    performerRequirements: new Map(),
    soloRequirements: [],
    // Replaced by the generated function when there is one.
    valuesAt: (i, r, s, an, lv) => (policies[i] as RuntimePolicy).values(r, s, an, lv),
  };
  const riskCfg = riskConfig(doc, checked.lists, checked.conditions);
  const policies: RuntimePolicy[] = doc.policies.map((p, index) => ({
    index,
    id: p.id,
    description: p.description,
    detail:
      p.description ??
      `${p.mode === 'report-only' ? 'would ' : ''}${(p.require !== undefined ? 'step_up' : (p.effect ?? 'deny')).replace('_', ' ')}`,
    mode: p.mode ?? 'enforce',
    effect: p.require !== undefined ? 'step_up' : (p.effect ?? 'deny'),
    level: p.require ? levelRank(p.require.level) : 0,
    maxAge: p.require?.maxAge === undefined ? undefined : parseDuration(p.require.maxAge),
    methods: p.require?.methods?.reduce((mask, m) => mask | methodBit(m), 0) ?? 31,
    restrictsMethods: p.require?.methods !== undefined,
    bind: p.require?.bindTransaction ?? false,
    onMissing: onMissingOf(p),
    anyAction: p.require?.anyAction === true,
    performers: performers.maskOf(p.require?.performer),
    fields: fieldsOf(checked.conditions[index] as CondNode),
    values: interpretedValues(fieldsOf(checked.conditions[index] as CondNode)),
  }));
  const conditions = checked.conditions;
  const typed = checked.typed;
  const types = new Map(typed.map((f) => [f.field.path, f.type]));
  const typeCheck = compileTypeCheck(typed);
  const hasReportOnlyTyped = typed.some((f) => f.reportOnly);
  const policyIds = policies.map((p) => p.id);
  let matcher: Matcher;
  let actionTests: CondNode[] = [];
  let gates: number[][] = [];
  try {
    if (options.codegen === false) throw new Error('code generation disabled');
    const generated = generateMatcher(
      conditions,
      policies.map((p) => p.fields),
      types,
      typed.filter((f) => !f.reportOnly),
    );
    matcher = generated.matcher;
    generated.values.forEach((v, i) => {
      (policies[i] as RuntimePolicy).values = v;
    });
    cfg.valuesAt = generated.valuesAt;
    actionTests = generated.actionTests;
    gates = generated.gates;
  } catch {
    // No `new Function` (CSP without unsafe-eval): interpret the same trees, three-valued.
    matcher = (r, s, an, lv, out, _A, _C, Q) => {
      const bad = typeCheck.enforced(r);
      if (bad >= 0) return -1 - bad;
      const m: MatchContext = { r, s, an, lv };
      let n = 0;
      let q = 0;
      for (let i = 0; i < conditions.length; i++) {
        const t = truth(conditions[i] as CondNode, m);
        if (t === TRUE) out[n++] = i;
        else if (t === UNKNOWN) Q[++q] = i;
      }
      Q[0] = q;
      return n;
    };
  }
  // Conditions on the action name alone are evaluated once per distinct action and cached
  // (bounded): their results (`A`) and the candidate policies whose action gate holds (`C`), so
  // 50 policies keyed on actions cost a few switch cases rather than 50 string compares.
  // With them, the signal groups the candidates read (`G`): only those are computed before
  // matching; the verdict's risk computes the rest if it is read.
  interface ActionEntry {
    readonly A: Uint8Array;
    readonly C: Int32Array;
    readonly G: number;
  }
  const policyGroups = policies.map((p) => groupsOf(p.fields.map((f) => f.path)));
  const actionCache = new Map<string, ActionEntry>();
  const everyPolicy: ActionEntry = {
    A: new Uint8Array(0),
    C: Int32Array.from(policies, (p) => p.index),
    G: riskCfg.eager,
  };
  const actionEntry = (an: string): ActionEntry => {
    if (actionTests.length === 0) return everyPolicy;
    let e = actionCache.get(an);
    if (e !== undefined) return e;
    const A = new Uint8Array(actionTests.length);
    const m: MatchContext = { r: {}, s: {}, an, lv: 'aal1' };
    for (let j = 0; j < actionTests.length; j++) A[j] = matches(actionTests[j] as CondNode, m) ? 1 : 0;
    const C = Int32Array.from(
      policies.filter((p) => (gates[p.index] ?? []).every((j) => A[j] === 1)),
      (p) => p.index,
    );
    const G = C.reduce((mask, i) => mask | (policyGroups[i] ?? 0), 0);
    e = { A, C, G };
    if (actionCache.size < 4096) actionCache.set(an, e);
    return e;
  };
  const version = documentVersion(doc, checked.lists, acrValues, options.idps);
  // The configured acr values that are not bare level names, for a fast path of `sessionLevel`
  // (a bare name wins over a configured value, so those take the general path; `null` matches no
  // string).
  const configuredAcr = (l: Level): string | null =>
    typeof acrValues[l] === 'string' && !(LEVELS as readonly string[]).includes(acrValues[l])
      ? acrValues[l]
      : null;
  const acr1 = configuredAcr('aal1');
  const acr2 = configuredAcr('aal2');
  const acr3 = configuredAcr('aal3');
  let scratch: Int32Array | undefined = new Int32Array(policies.length);
  let unknownScratch: Int32Array | undefined = new Int32Array(policies.length + 1);
  const run = (input: EvaluationInput, explain: boolean): Verdict | WhatIfResult => {
    const problem = inputProblem(input);
    if (problem !== undefined) return invalid(problem);
    const r = input.request as unknown as Record<string, unknown>;
    const badReportOnly = hasReportOnlyTyped ? typeCheck.reportOnly(r) : undefined;
    const an = input.request.action.name;
    const history =
      input.history !== null && typeof input.history === 'object' ? input.history : EMPTY_HISTORY;
    const entry = actionEntry(an);
    // Explaining reads every policy's condition, so it needs every group a policy reads.
    const groups = explain ? riskCfg.eager : entry.G;
    const s = computeSignals(input.request, an, input.now, history, riskCfg, groups);
    const acr = input.request.subject.acr;
    const lv =
      acr === acr1 ? 'aal1' : acr === acr2 ? 'aal2' : acr === acr3 ? 'aal3' : sessionLevel(acr, acrValues);
    // A reentrant call (from a getter on the input) gets its own buffers.
    const out = scratch ?? new Int32Array(policies.length);
    const Q = unknownScratch ?? new Int32Array(policies.length + 1);
    scratch = undefined;
    unknownScratch = undefined;
    try {
      const n = matcher(r, s, an, lv, out, entry.A, entry.C, Q);
      // Typed fields come first, whatever the action: a present value of the wrong type makes the
      // request invalid; it is never evaluated as "did not match" (docs/policies.md "Typed fields").
      if (n < 0) {
        const f = typed[-1 - n] as (typeof typed)[number];
        const first = f.policies.find((i) => policies[i]?.mode !== 'report-only');
        return invalidRequest(invalidField(f, r, first === undefined ? undefined : policyIds[first]));
      }
      const risk = new LazyRisk(s, input.request, input.now, history, riskCfg, groups);
      // Every field present and well typed (the common case): combination from the facts as they
      // are, without a facts object.
      const settled = Q[0] === 0 && badReportOnly === undefined;
      if (settled && !explain) {
        return combine(policies, out, n, cfg, r, s, an, lv, input.now, history, risk, version);
      }
      // What settling and explaining read: a fresh young object (storing the request's objects into
      // a long-lived one would cost a write barrier per field).
      const m: CombineInput = { r, s, an, lv, now: input.now, history, risk, policyVersion: version };
      const verdict = settled
        ? combine(policies, out, n, cfg, r, s, an, lv, input.now, history, risk, version)
        : settle(policies, conditions, typed, { out, n, Q, badReportOnly }, cfg, m);
      if (!explain) return verdict;
      const matched: string[] = [];
      const notMatched: WhatIfResult['notMatched'] = [];
      policies.forEach((p, i) => {
        const failed = firstFailure(conditions[i] as CondNode, m);
        if (failed === undefined) matched.push(p.id);
        else notMatched.push({ policyId: p.id, mode: p.mode, failed });
      });
      return { ...verdict, matched, notMatched };
    } finally {
      scratch = out;
      unknownScratch = Q;
    }
  };

  // Invalid requests get a verdict without `matched` (whatIf adds empty lists), so `evaluate`
  // returns what `run` returns as is.
  const invalidRequest = (field: InvalidField): Verdict => ({
    decision: 'deny',
    reasons: [invalidReason(field.policyId ?? 'stepgate', field)],
    risk: { score: 100, level: 'high', signals: {} },
    reportOnly: [],
    policyVersion: version,
    invalid: field,
  });

  const invalid = (detail: string): Verdict => ({
    decision: 'deny',
    reasons: [{ policyId: 'stepgate', code: 'invalid_input', detail }],
    risk: { score: 100, level: 'high', signals: {} },
    reportOnly: [],
    policyVersion: version,
  });

  const safe = (input: EvaluationInput, explain: boolean): Verdict | WhatIfResult => {
    try {
      return run(input, explain);
    } catch {
      return invalid('the input could not be evaluated');
    }
  };

  return Object.freeze({
    version,
    defaultEffect: doc.default,
    methodLevels: Object.freeze(levels),
    actionLabels: Object.freeze(
      Object.fromEntries(
        Object.entries(doc.actions ?? {}).map(([action, { label }]) => [
          action,
          Object.freeze(
            Object.fromEntries(Object.entries(label).map(([l, text]) => [l.toLowerCase(), text])),
          ),
        ]),
      ),
    ),
    enabledMethods: Object.freeze(METHOD_PREFERENCE.filter((m) => enabled.includes(m))),
    policyIds: Object.freeze(policyIds),
    fields: Object.freeze(
      Object.fromEntries(
        typed.map((f): [string, FieldInfo] => [
          f.field.path,
          Object.freeze({
            type: f.type,
            policies: Object.freeze(f.policies.map((i) => policyIds[i] as string)),
            declared: f.declared,
            reportOnly: f.reportOnly,
          }),
        ]),
      ),
    ),
    // Without `explain`, `run` returns a plain verdict (never `matched`/`notMatched`).
    evaluate: (input: EvaluationInput): Verdict => safe(input, false),
    whatIf: (input: EvaluationInput): WhatIfResult => {
      const v = safe(input, true);
      return 'matched' in v ? v : { ...v, matched: [], notMatched: [] };
    },
  });
}

/** Most identity providers one document may name (performer masks are 31-bit integers). */
const MAX_IDPS = 30;

/**
 * The performers of a document as bits: Stepgate is bit 0, the k-th identity provider bit k + 1
 * (the configured ones, else the ones the document names, each up to aal3 with every method),
 * for each level the performers that can reach it, and for each set of allowed methods (a 5-bit
 * mask) the performers that can prove one of them: Stepgate always (its own methods are filtered
 * apart), a provider when its `methods` give one. Tables, so a verdict only indexes them.
 */
function performerTable(
  doc: PolicyDocument,
  configured: readonly IdpReach[] | undefined,
): {
  names: readonly Performer[];
  reach: readonly number[];
  byMethods: readonly number[];
  maskOf: (spec: NonNullable<PolicyRule['require']>['performer']) => number;
} {
  const idps: IdpReach[] = configured
    ? [...configured]
    : [...new Set(doc.policies.map((p) => p.require?.performer).filter((x) => x?.startsWith('idp:')))].map(
        (x) => ({ id: (x as string).slice(4), maxLevel: 'aal3' as Level, methods: METHODS }),
      );
  if (idps.length > MAX_IDPS) {
    throw new PolicyError('invalid_policy', [
      { path: '/policies', message: `more than ${MAX_IDPS} identity providers are named` },
    ]);
  }
  const names: Performer[] = ['stepgate', ...idps.map((i) => `idp:${i.id}` as const)];
  const all = 2 ** names.length - 1;
  const reach = LEVELS.map((_, rank) =>
    idps.reduce((mask, idp, k) => (levelRank(idp.maxLevel) >= rank ? mask | (1 << (k + 1)) : mask), 1),
  );
  const methodMasks = idps.map((idp) => methodMask(idp.methods));
  const byMethods = Array.from({ length: 32 }, (_, allowed) =>
    methodMasks.reduce((mask, own, k) => (own & allowed ? mask | (1 << (k + 1)) : mask), 1),
  );
  return {
    names: Object.freeze(names),
    reach,
    byMethods,
    maskOf: (spec) => {
      if (spec === undefined || spec === 'stepgate') return 1;
      if (spec === 'any') return all;
      const k = idps.findIndex((i) => `idp:${i.id}` === spec);
      return k < 0 ? 0 : 1 << (k + 1);
    },
  };
}
