/**
 * Combining matched policies into a verdict (DESIGN.md "Policies"): deny beats step_up beats
 * allow; step-ups combine to the highest level, the smallest maxAge and the intersection of
 * methods (only methods that can reach the combined level); a requirement nobody can meet is a
 * deny that says so, never a downgrade; report-only policies are reported, never enforced.
 */
import { type AcrValues, type Decision, LEVELS, type Reason, type Requirement } from '@stepgate/protocol';
import type { Field } from './fields.js';
import { fieldValue, type MatchContext } from './interpret.js';
import { methodsOf } from './methods.js';
import { checkSession } from './requirement.js';
import type { PolicyEffect, PolicyMode, Verdict } from './types.js';

/** A policy ready for combination. */
export interface RuntimePolicy {
  readonly index: number;
  readonly id: string;
  readonly description: string | undefined;
  readonly mode: PolicyMode;
  readonly effect: PolicyEffect;
  /** Level rank 0–2 (step_up only). */
  readonly level: number;
  readonly maxAge: number | undefined;
  /** Allowed methods as a mask (all methods when the policy names none). */
  readonly methods: number;
  readonly bind: boolean;
  readonly fields: readonly Field[];
}

/** What combination needs from the compiled document. */
export interface CombineConfig {
  readonly acrValues: AcrValues;
  readonly defaultEffect: 'allow' | 'deny';
  /** Per level rank: enabled methods whose cap reaches it. */
  readonly reachable: readonly number[];
  /** Per method index: its cap rank (−1 when disabled). */
  readonly caps: readonly number[];
}

/** The per-request facts combination needs. */
export interface CombineInput {
  readonly m: MatchContext;
  readonly now: number;
  /** Per method index: the highest level rank this user's factors reach (−1 none). */
  readonly userLevels: Int8Array;
}

function reasonFor(p: RuntimePolicy, m: MatchContext): Reason {
  const values: Record<string, unknown> = {};
  for (const f of p.fields) values[f.path] = fieldValue(f, m);
  const detail = p.description ?? `${p.mode === 'report-only' ? 'would ' : ''}${p.effect.replace('_', ' ')}`;
  return { policyId: p.id, code: 'policy_matched', detail, values };
}

interface Outcome {
  decision: Decision;
  reasons: Reason[];
  requirement?: Requirement;
  usableMethods?: ReturnType<typeof methodsOf>;
}

/** Turns a combined step-up into allow, step_up or an unsatisfiable deny. */
function finishStepUp(
  level: number,
  maxAge: number | undefined,
  mask: number,
  bind: boolean,
  cfg: CombineConfig,
  input: CombineInput,
): Outcome {
  const levelName = LEVELS[level] ?? 'aal3';
  const allowed = mask & (cfg.reachable[level] ?? 0);
  const requirement: Requirement = {
    level: levelName,
    acr: cfg.acrValues[levelName],
    methods: methodsOf(allowed),
    bindTransaction: bind,
    singleUse: bind || maxAge === 0,
  };
  if (maxAge !== undefined) requirement.maxAge = maxAge;
  if (allowed === 0) {
    const detail = `requirement unsatisfiable: no allowed method can reach ${levelName} (allowed by policy: ${methodsOf(mask).join(', ') || 'none'})`;
    return {
      decision: 'deny',
      reasons: [
        { policyId: 'stepgate', code: 'requirement_unsatisfiable', detail, values: { level: levelName } },
      ],
    };
  }
  let usable = 0;
  for (let i = 0; i < input.userLevels.length; i++)
    if ((input.userLevels[i] as number) >= level) usable |= 1 << i;
  usable &= allowed;
  const r = input.m.r as { subject?: never };
  const session = checkSession(requirement, {
    now: input.now,
    subject: r.subject ?? ({} as never),
    action: input.m.an,
    acrValues: cfg.acrValues,
  });
  if (session.satisfied) {
    const reason: Reason = {
      policyId: 'stepgate',
      code: 'requirement_met_by_session',
      detail: `the session already meets ${levelName}`,
    };
    return { decision: 'allow', reasons: [reason], requirement, usableMethods: methodsOf(usable) };
  }
  if (usable === 0) {
    const detail = `requirement unsatisfiable: the user has no enrolled method that reaches ${levelName} (allowed: ${requirement.methods.join(', ')})`;
    return {
      decision: 'deny',
      reasons: [
        { policyId: 'stepgate', code: 'requirement_unsatisfiable', detail, values: { level: levelName } },
      ],
      requirement,
    };
  }
  return { decision: 'step_up', reasons: [], requirement, usableMethods: methodsOf(usable) };
}

/** Decides from the indexes of matched policies. */
export function combine(
  policies: readonly RuntimePolicy[],
  matched: Int32Array,
  n: number,
  cfg: CombineConfig,
  input: CombineInput,
): Pick<Verdict, 'decision' | 'reasons' | 'requirement' | 'usableMethods' | 'reportOnly'> {
  let deny = false;
  let step = false;
  let enforced = 0;
  let level = 0;
  let maxAge: number | undefined;
  let mask = 31;
  let bind = false;
  const reasons: Reason[] = [];
  const reportOnly: Verdict['reportOnly'] = [];
  for (let k = 0; k < n; k++) {
    const p = policies[matched[k] as number] as RuntimePolicy;
    if (p.mode === 'report-only') {
      const alone =
        p.effect === 'step_up' ? finishStepUp(p.level, p.maxAge, p.methods, p.bind, cfg, input) : undefined;
      const reason = reasonFor(p, input.m);
      reportOnly.push({
        policyId: p.id,
        decision: alone?.decision ?? (p.effect as Decision),
        reasons: [reason, ...(alone?.reasons ?? [])],
      });
      continue;
    }
    enforced++;
    reasons.push(reasonFor(p, input.m));
    if (p.effect === 'deny') deny = true;
    else if (p.effect === 'step_up') {
      if (!step || p.level > level) level = p.level;
      step = true;
      if (p.maxAge !== undefined && (maxAge === undefined || p.maxAge < maxAge)) maxAge = p.maxAge;
      mask &= p.methods;
      bind ||= p.bind;
    }
  }
  if (enforced === 0) {
    const detail = `no policy matched; the document's default is ${cfg.defaultEffect}`;
    return {
      decision: cfg.defaultEffect,
      reasons: [{ policyId: 'default', code: 'default_effect', detail }],
      reportOnly,
    };
  }
  if (deny) return { decision: 'deny', reasons, reportOnly };
  if (!step) return { decision: 'allow', reasons, reportOnly };
  const out = finishStepUp(level, maxAge, mask, bind, cfg, input);
  const verdict: ReturnType<typeof combine> = {
    decision: out.decision,
    reasons: [...reasons, ...out.reasons],
    reportOnly,
  };
  if (out.requirement !== undefined) verdict.requirement = out.requirement;
  if (out.usableMethods !== undefined) verdict.usableMethods = out.usableMethods;
  return verdict;
}
