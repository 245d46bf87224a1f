/**
 * Combining matched policies into a verdict (docs/policies.md): deny beats step_up beats
 * allow; step-ups combine to the highest level, the smallest maxAge and the intersection of
 * methods (only methods that can reach the combined level); a requirement nobody can meet is a
 * deny that says so, never a downgrade; report-only policies are reported, never enforced.
 */
import {
  type AcrValues,
  type Decision,
  LEVELS,
  type Performer,
  type Reason,
  type Requirement,
} from '@stepgate/protocol';
import type { ValuesAt, ValuesBuilder } from './codegen.js';
import { article } from './field-types.js';
import type { Field } from './fields.js';
import { fieldValue, type MatchContext } from './interpret.js';
import { methodIndex, methodList, methodsOf } from './methods.js';
import { sessionMeets } from './requirement.js';
import type {
  EnrolledMethod,
  HistorySnapshot,
  InvalidField,
  OnMissing,
  PolicyEffect,
  PolicyMode,
  Verdict,
} from './types.js';

/** A policy ready for combination. */
export interface RuntimePolicy {
  readonly index: number;
  readonly id: string;
  readonly description: string | undefined;
  /** The reason's `detail`: the description, or the effect in words. */
  readonly detail: string;
  readonly mode: PolicyMode;
  readonly effect: PolicyEffect;
  /** Level rank 0–2 (step_up only). */
  readonly level: number;
  readonly maxAge: number | undefined;
  /** Allowed methods as a mask (all methods when the policy names none). */
  readonly methods: number;
  /** The policy names `require.methods`: a provider's proof must then show an allowed method. */
  readonly restrictsMethods: boolean;
  readonly bind: boolean;
  /** What an unknown condition (a missing request field) does, the default resolved. */
  readonly onMissing: OnMissing;
  /** `require.anyAction`: a token minted for another action is accepted (S34). */
  readonly anyAction: boolean;
  /** Allowed performers as a mask: bit 0 Stepgate, bit k + 1 the k-th identity provider. */
  readonly performers: number;
  readonly fields: readonly Field[];
  /** Builds the reason's `values`. */
  values: ValuesBuilder;
}

/** What combination needs from the compiled document. */
export interface CombineConfig {
  readonly acrValues: AcrValues;
  readonly defaultEffect: 'allow' | 'deny';
  /** The `detail` of the default reason. */
  readonly defaultDetail: string;
  /** Per level rank: enabled methods whose cap reaches it. */
  readonly reachable: readonly number[];
  /** Per method index: its cap rank (−1 when disabled). */
  readonly caps: readonly number[];
  /** The default verdict's reasons (one frozen, shared array). */
  readonly defaultReasons: Reason[];
  /** Per level rank: the frozen `requirement_met_by_session` reason. */
  readonly metBySession: readonly Reason[];
  /** Shared requirements (see `requirementFor`); filled as combinations occur. */
  readonly requirements: Map<number, Requirement>;
  /** Performer names by bit: `stepgate`, then `idp:<id>` in configuration order. */
  readonly performerNames: readonly Performer[];
  /** Per level rank: the performers that can reach it (Stepgate always; a provider up to its map). */
  readonly performerReach: readonly number[];
  /**
   * Per allowed-method mask (0–31): the performers that can prove one of those methods (Stepgate
   * always; a provider when its `methods` map gives one). Used only when methods are restricted.
   */
  readonly performersByMethods: readonly number[];
  /** Shared requirements naming performers other than Stepgate alone, by performer mask and shape. */
  readonly performerRequirements: Map<string, Requirement>;
  /** Builds the `values` of policy `i`'s reason (the generated function, or `values` of each policy). */
  valuesAt: ValuesAt;
  /**
   * Per policy index: the requirement when that policy is the only step-up that applies (its
   * members are the policy's own), so the common verdict skips the `requirements` lookup.
   */
  readonly soloRequirements: Array<Requirement | undefined>;
}

/** The per-request facts combination needs. */
export interface CombineInput extends MatchContext {
  readonly now: number;
  readonly history: HistorySnapshot;
  readonly risk: Verdict['risk'];
  readonly policyVersion: string;
}

/** The values of a policy's fields, by the interpreter (when code generation is off). */
export function interpretedValues(fields: readonly Field[]): ValuesBuilder {
  return (r, s, an, lv) => {
    const values: Record<string, unknown> = {};
    for (const f of fields) values[f.path] = fieldValue(f, { r, s, an, lv });
    return values;
  };
}

function reasonFor(
  p: RuntimePolicy,
  cfg: CombineConfig,
  r: Record<string, unknown>,
  sig: MatchContext['s'],
  an: string,
  lv: string,
): Reason {
  const values = cfg.valuesAt(p.index, r, sig, an, lv);
  return { policyId: p.id, code: 'policy_matched', detail: p.detail, values };
}

/** A policy whose condition was unknown: which request fields were missing, and its `onMissing`. */
export interface MissingOutcome {
  readonly index: number;
  readonly missing: readonly string[];
  readonly onMissing: OnMissing;
}

/** What settling the unknown and invalid policies of a request adds to combination (settle.ts). */
export interface Settled {
  /** Per policy index: the `onMissing` outcome that replaces its effect (`step_up` or `deny`). */
  readonly over: ReadonlyArray<MissingOutcome | undefined>;
  /** Unknown policies with `onMissing: skip`: they do not apply, and the verdict says why. */
  readonly skipped: readonly MissingOutcome[];
  /** Report-only policies that compare a field of the wrong type: reported, not evaluated. */
  readonly invalid: ReadonlyArray<{ readonly index: number; readonly field: InvalidField }>;
}

/** The `field_missing` reason: never a silent skip (docs/policies.md "Missing fields"). */
export function missingReason(p: RuntimePolicy, o: MissingOutcome): Reason {
  const fields = o.missing.join(', ');
  const what =
    o.onMissing === 'skip'
      ? 'onMissing is skip, so the policy does not apply'
      : `onMissing is ${o.onMissing}`;
  return {
    policyId: p.id,
    code: 'field_missing',
    detail: `${fields} ${o.missing.length === 1 ? 'is' : 'are'} missing from the request; ${what}`,
    values: { missing: [...o.missing], onMissing: o.onMissing },
  };
}

/** The `invalid_field` reason of a field that does not fit its type. */
export function invalidReason(policyId: string, f: InvalidField): Reason {
  const by = f.policyId === undefined ? 'declared in fields' : `compared by policy ${f.policyId}`;
  return {
    policyId,
    code: 'invalid_field',
    detail: `${f.field} must be ${article(f.expected)} (${by}); the request has ${f.actual}`,
    values: { field: f.field, expected: f.expected, actual: f.actual },
  };
}

interface Outcome {
  decision: Decision;
  reasons: Reason[];
  requirement?: Requirement;
  usableMethods?: ReturnType<typeof methodsOf>;
}

/** Rank of a level (−1 when unknown), as `LEVELS.indexOf`. */
export const levelIndex = (l: unknown): number =>
  l === 'aal1' ? 0 : l === 'aal2' ? 1 : l === 'aal3' ? 2 : -1;

/**
 * Methods this user can use at `level`: a factor counts at min(its `maxLevel`, the method's cap).
 * Computed only when a step-up needs it; malformed entries count for nothing.
 */
function userMethods(history: HistorySnapshot, caps: readonly number[], level: number): number {
  const enrolled: unknown = history.enrolledMethods;
  if (!Array.isArray(enrolled)) return 0;
  let mask = 0;
  for (let k = 0; k < enrolled.length; k++) {
    const item: unknown = enrolled[k];
    if (item === null || typeof item !== 'object') continue;
    const f = item as Partial<EnrolledMethod>;
    const i = methodIndex(f.method);
    if (i < 0) continue;
    const reach = Math.min(levelIndex(f.maxLevel), caps[i] ?? -1);
    if (reach >= level) mask |= 1 << i;
  }
  return mask;
}

/**
 * The requirement for a combination, built once and then shared (frozen, methods included):
 * verdicts of the same shape reuse one object instead of allocating a requirement and a method
 * list per call. The cache is keyed by maxAge, level, `anyAction`, `restrictsMethods`, binding
 * and allowed methods (every member that varies), and bounded.
 */
function requirementFor(
  cfg: CombineConfig,
  level: number,
  maxAge: number | undefined,
  allowed: number,
  bind: boolean,
  anyAction: boolean,
  restricted: boolean,
  performers = 1,
  providerMethods = -1,
): Requirement {
  if (performers !== 1)
    return performerRequirementFor(
      cfg,
      level,
      maxAge,
      allowed,
      bind,
      anyAction,
      restricted,
      performers,
      providerMethods,
    );
  const levelName = LEVELS[level] ?? 'aal3';
  // Bits 0–4 methods, 5 binding, 6 anyAction, 7–8 level, 9 restricted; maxAge above them (+1,
  // so 0 ≠ absent).
  const shape = (restricted ? 512 : 0) + level * 128 + (anyAction ? 64 : 0) + (bind ? 32 : 0) + allowed;
  const key = maxAge === undefined ? shape : maxAge < 2 ** 40 ? (maxAge + 1) * 1024 + shape : -1;
  const cached = key < 0 ? undefined : cfg.requirements.get(key);
  if (cached !== undefined) return cached;
  // One literal per shape: no property added after creation, so no out-of-object storage.
  const singleUse = bind || maxAge === 0;
  const methods = methodList(allowed);
  const acr = cfg.acrValues[levelName];
  let literal: Requirement;
  if (anyAction) {
    literal =
      maxAge === undefined
        ? { level: levelName, acr, methods, bindTransaction: bind, singleUse, anyAction }
        : { level: levelName, acr, maxAge, methods, bindTransaction: bind, singleUse, anyAction };
  } else {
    literal =
      maxAge === undefined
        ? { level: levelName, acr, methods, bindTransaction: bind, singleUse }
        : { level: levelName, acr, maxAge, methods, bindTransaction: bind, singleUse };
  }
  // S24: the session and tokens must then show an allowed method (requirement.ts).
  if (restricted) literal = { ...literal, restrictsMethods: true };
  const requirement: Requirement = Object.freeze(literal) as Requirement;
  if (key >= 0 && cfg.requirements.size < 4096) cfg.requirements.set(key, requirement);
  return requirement;
}

/**
 * A requirement naming identity providers (rare: built off the hot path), shared like the others
 * and keyed by performer mask and shape. `providerMethods` (a mask, −1 for none) is set when the
 * methods are restricted and a provider performs: the methods its proof must show.
 */
function performerRequirementFor(
  cfg: CombineConfig,
  level: number,
  maxAge: number | undefined,
  allowed: number,
  bind: boolean,
  anyAction: boolean,
  restricted: boolean,
  performers: number,
  providerMethods: number,
): Requirement {
  const key = `${performers}:${level}:${maxAge ?? ''}:${allowed}:${bind ? 1 : 0}:${anyAction ? 1 : 0}:${restricted ? 1 : 0}:${providerMethods}`;
  const cached = cfg.performerRequirements.get(key);
  if (cached !== undefined) return cached;
  const base = requirementFor(cfg, level, maxAge, allowed, bind, anyAction, restricted);
  const names = cfg.performerNames.filter((_, bit) => performers & (1 << bit));
  const requirement = Object.freeze(
    providerMethods < 0
      ? { ...base, performers: Object.freeze(names) }
      : { ...base, performers: Object.freeze(names), providerMethods: methodList(providerMethods) },
  ) as Requirement;
  if (cfg.performerRequirements.size < 4096) cfg.performerRequirements.set(key, requirement);
  return requirement;
}

const unsatisfiable = (detail: string, levelName: string): Outcome => ({
  decision: 'deny',
  reasons: [
    { policyId: 'stepgate', code: 'requirement_unsatisfiable', detail, values: { level: levelName } },
  ],
});

/**
 * Turns a combined step-up into allow, step_up or an unsatisfiable deny. Stepgate performs it
 * when it is an allowed performer and an allowed method reaches the level; an identity provider
 * when it is allowed, its map reaches the level and — when the policies restrict methods — its
 * `methods` give one of the allowed methods that reach the level. Without either, nobody can
 * meet it (deny).
 */
function finishStepUp(
  level: number,
  maxAge: number | undefined,
  mask: number,
  restricted: boolean,
  bind: boolean,
  anyAction: boolean,
  performers: number,
  cfg: CombineConfig,
  subject: unknown,
  lv: string,
  now: number,
  history: HistorySnapshot,
): Outcome {
  const levelName = LEVELS[level] ?? 'aal3';
  const levelMethods = mask & (cfg.reachable[level] ?? 0);
  const byLevel = performers & (cfg.performerReach[level] ?? 1);
  // S2: a provider whose proof cannot be one of the allowed methods drops out (fail closed).
  const reach = restricted ? byLevel & (cfg.performersByMethods[levelMethods] ?? 1) : byLevel;
  const idps = reach & ~1;
  const allowed = reach & 1 ? levelMethods : 0;
  if (allowed === 0 && idps === 0) {
    if (performers === 0)
      return unsatisfiable(
        'requirement unsatisfiable: the matched policies allow no common performer',
        levelName,
      );
    const allowedByPolicy = methodsOf(mask).join(', ') || 'none';
    if (performers & 1) {
      return unsatisfiable(
        `requirement unsatisfiable: no allowed method can reach ${levelName} (allowed by policy: ${allowedByPolicy})`,
        levelName,
      );
    }
    if (byLevel !== 0) {
      return unsatisfiable(
        `requirement unsatisfiable: no allowed identity provider can prove an allowed method at ${levelName} (allowed by policy: ${allowedByPolicy})`,
        levelName,
      );
    }
    return unsatisfiable(
      `requirement unsatisfiable: no allowed identity provider can reach ${levelName}`,
      levelName,
    );
  }
  const requirement = requirementFor(
    cfg,
    level,
    maxAge,
    allowed,
    bind,
    anyAction,
    restricted,
    (allowed === 0 ? 0 : 1) | idps,
    restricted && idps !== 0 ? levelMethods : -1,
  );
  const usable = allowed === 0 ? 0 : userMethods(history, cfg.caps, level) & allowed;
  // S24: a restricted requirement is met by a session proven by one of its methods, whoever performs.
  const proven = restricted ? levelMethods : -1;
  if (sessionMeets(subject, levelIndex(lv), level, maxAge, bind, proven, now)) {
    const reasons = [cfg.metBySession[level] as Reason];
    return { decision: 'allow', reasons, requirement, usableMethods: methodList(usable) };
  }
  // An identity provider performs the step-up for a user with no usable factor of their own.
  if (usable === 0 && idps !== 0) {
    return { decision: 'step_up', reasons: NO_REASONS, requirement, usableMethods: methodList(0) };
  }
  if (usable === 0) {
    const levelName = requirement.level;
    const detail = `requirement unsatisfiable: the user has no enrolled method that reaches ${levelName} (allowed: ${requirement.methods.join(', ')})`;
    return {
      decision: 'deny',
      reasons: [
        { policyId: 'stepgate', code: 'requirement_unsatisfiable', detail, values: { level: levelName } },
      ],
    };
  }
  return { decision: 'step_up', reasons: NO_REASONS, requirement, usableMethods: methodList(usable) };
}

/** Shared empty lists (frozen): most verdicts have no report-only outcome and no extra reason. */
const NO_REASONS: Reason[] = Object.freeze([]) as unknown as Reason[];
const NO_REPORT_ONLY: Verdict['reportOnly'] = Object.freeze([]) as unknown as Verdict['reportOnly'];

/** Builds a verdict with one property order, so every verdict shares a few hidden classes. */
function verdict(
  decision: Decision,
  reasons: Reason[],
  reportOnly: Verdict['reportOnly'],
  risk: Verdict['risk'],
  policyVersion: string,
  out?: Outcome,
): Verdict {
  if (out?.requirement === undefined) return { decision, reasons, risk, reportOnly, policyVersion };
  if (out.usableMethods === undefined) {
    return { decision, reasons, risk, requirement: out.requirement, reportOnly, policyVersion };
  }
  const { requirement, usableMethods } = out;
  return { decision, reasons, risk, requirement, usableMethods, reportOnly, policyVersion };
}

/**
 * Decides from the indexes of matched policies, with the request's facts as arguments (a verdict
 * allocates no facts object). `settled` (only when a request field was missing, or a report-only
 * policy's field had the wrong type) says which matched policies apply their `onMissing` instead
 * of their effect, which were skipped, and which report-only ones are invalid.
 */
export function combine(
  policies: readonly RuntimePolicy[],
  matched: Int32Array,
  n: number,
  cfg: CombineConfig,
  r: Record<string, unknown>,
  sig: MatchContext['s'],
  an: string,
  lv: string,
  now: number,
  history: HistorySnapshot,
  risk: Verdict['risk'],
  policyVersion: string,
  settled?: Settled,
): Verdict {
  let deny = false;
  let step = false;
  let enforced = 0;
  let level = 0;
  let maxAge: number | undefined;
  let mask = 31;
  // Some policy names `require.methods`: providers must then prove an allowed method too.
  let restricted = false;
  let bind = false;
  // S34: the combination accepts a token for another action only when every step-up says so.
  let anyAction = true;
  // The performers every matched step-up allows (Stepgate alone unless a policy names others).
  let performers = -1;
  let reasons = NO_REASONS;
  let reportOnly = NO_REPORT_ONLY;
  // The enforced step-ups that apply: how many, and the last one.
  let steps = 0;
  let stepPolicy: RuntimePolicy | undefined;
  for (let k = 0; k < n; k++) {
    const p = policies[matched[k] as number] as RuntimePolicy;
    const o = settled?.over[p.index];
    // An unknown condition applies the policy's `onMissing` (step_up or deny) instead of its effect.
    const effect = o === undefined ? p.effect : (o.onMissing as PolicyEffect);
    const reason = o === undefined ? reasonFor(p, cfg, r, sig, an, lv) : missingReason(p, o);
    if (p.mode === 'report-only') {
      const alone =
        effect === 'step_up'
          ? finishStepUp(
              p.level,
              p.maxAge,
              p.methods,
              p.restrictsMethods,
              p.bind,
              p.anyAction,
              p.performers,
              cfg,
              r.subject,
              lv,
              now,
              history,
            )
          : undefined;
      if (reportOnly === NO_REPORT_ONLY) reportOnly = [];
      reportOnly.push({
        policyId: p.id,
        decision: alone?.decision ?? (effect as Decision),
        reasons: alone === undefined || alone.reasons.length === 0 ? [reason] : [reason, ...alone.reasons],
      });
      continue;
    }
    enforced++;
    if (reasons === NO_REASONS) reasons = [reason];
    else reasons.push(reason);
    if (effect === 'deny') deny = true;
    else if (effect === 'step_up') {
      if (!step || p.level > level) level = p.level;
      step = true;
      steps++;
      stepPolicy = p;
      if (p.maxAge !== undefined && (maxAge === undefined || p.maxAge < maxAge)) maxAge = p.maxAge;
      mask &= p.methods;
      restricted ||= p.restrictsMethods;
      bind ||= p.bind;
      anyAction &&= p.anyAction;
      performers &= p.performers;
    }
  }
  if (settled !== undefined) {
    // Skipped and invalid policies never change the decision, but the verdict says why.
    for (const o of settled.skipped) {
      const p = policies[o.index] as RuntimePolicy;
      const reason = missingReason(p, o);
      if (p.mode === 'report-only') {
        if (reportOnly === NO_REPORT_ONLY) reportOnly = [];
        reportOnly.push({ policyId: p.id, decision: cfg.defaultEffect, reasons: [reason] });
      } else if (reasons === NO_REASONS) reasons = [reason];
      else reasons.push(reason);
    }
    for (const { index, field } of settled.invalid) {
      const p = policies[index] as RuntimePolicy;
      if (reportOnly === NO_REPORT_ONLY) reportOnly = [];
      reportOnly.push({ policyId: p.id, decision: 'deny', reasons: [invalidReason(p.id, field)] });
    }
    if (enforced === 0) {
      const all = reasons === NO_REASONS ? cfg.defaultReasons : [...cfg.defaultReasons, ...reasons];
      return verdict(cfg.defaultEffect, all, reportOnly, risk, policyVersion);
    }
  }
  if (enforced === 0) return verdict(cfg.defaultEffect, cfg.defaultReasons, reportOnly, risk, policyVersion);
  if (deny || !step) return verdict(deny ? 'deny' : 'allow', reasons, reportOnly, risk, policyVersion);
  // The common case, inline (no intermediate outcome object): a step-up the session does not
  // meet and the user can perform.
  const allowed = mask & (cfg.reachable[level] ?? 0);
  if (
    performers === 1 &&
    allowed !== 0 &&
    !sessionMeets(r.subject, levelIndex(lv), level, maxAge, bind, restricted ? allowed : -1, now)
  ) {
    const usable = userMethods(history, cfg.caps, level) & allowed;
    if (usable !== 0) {
      let requirement: Requirement | undefined;
      if (steps === 1 && stepPolicy !== undefined) {
        requirement = cfg.soloRequirements[stepPolicy.index];
        if (requirement === undefined) {
          requirement = requirementFor(cfg, level, maxAge, allowed, bind, anyAction, restricted);
          cfg.soloRequirements[stepPolicy.index] = requirement;
        }
      } else requirement = requirementFor(cfg, level, maxAge, allowed, bind, anyAction, restricted);
      const usableMethods = methodList(usable);
      return { decision: 'step_up', reasons, risk, requirement, usableMethods, reportOnly, policyVersion };
    }
  }
  const out = finishStepUp(
    level,
    maxAge,
    mask,
    restricted,
    bind,
    anyAction,
    performers,
    cfg,
    r.subject,
    lv,
    now,
    history,
  );
  for (const x of out.reasons) reasons.push(x);
  return verdict(out.decision, reasons, reportOnly, risk, policyVersion, out);
}
