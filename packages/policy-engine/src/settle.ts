/**
 * The slow path of `evaluate` (docs/policies.md "Missing fields"), taken only when the matcher
 * read a missing request field, or a report-only policy's field had the wrong type: the policies
 * concerned are evaluated again in three-valued logic and their `onMissing` applied. With every
 * field present and well typed, `evaluate` never comes here.
 */
import {
  type CombineConfig,
  type CombineInput,
  combine,
  type MissingOutcome,
  type RuntimePolicy,
} from './combine.js';
import type { CondNode } from './condition.js';
import type { TypedField } from './field-types.js';
import { TRUE, truth, UNKNOWN } from './interpret.js';
import { invalidField } from './type-check.js';
import type { InvalidField, Verdict } from './types.js';

/** What the matcher left to settle. */
export interface Unsettled {
  /** The decided matches, ascending. */
  readonly out: Int32Array;
  readonly n: number;
  /** `Q[1…Q[0]]`: policies whose evaluation read a missing request field. */
  readonly Q: Int32Array;
  /** Indexes (into `typed`) of report-only fields that do not fit their type. */
  readonly badReportOnly: readonly number[] | undefined;
}

/**
 * Settles the unknown policies (three-valued: true matches, false does not, unknown applies
 * `onMissing`), sets aside report-only policies that read a field of the wrong type, and combines.
 */
export function settle(
  policies: readonly RuntimePolicy[],
  conditions: readonly CondNode[],
  typed: readonly TypedField[],
  u: Unsettled,
  cfg: CombineConfig,
  input: CombineInput,
): Verdict {
  const invalid: Array<{ index: number; field: InvalidField }> = [];
  for (const i of u.badReportOnly ?? []) {
    const f = typed[i] as TypedField;
    for (const index of f.policies) {
      if (!invalid.some((x) => x.index === index)) {
        invalid.push({ index, field: invalidField(f, input.r, policies[index]?.id) });
      }
    }
  }
  const excluded = (index: number) => invalid.some((x) => x.index === index);
  const matched: number[] = [];
  for (let k = 0; k < u.n; k++) if (!excluded(u.out[k] as number)) matched.push(u.out[k] as number);
  const over: Array<MissingOutcome | undefined> = [];
  const skipped: MissingOutcome[] = [];
  for (let k = 1; k <= (u.Q[0] as number); k++) {
    const index = u.Q[k] as number;
    if (excluded(index)) continue;
    const missing: string[] = [];
    const t = truth(conditions[index] as CondNode, input, missing);
    if (t === TRUE) matched.push(index);
    else if (t === UNKNOWN) {
      const p = policies[index] as RuntimePolicy;
      const o: MissingOutcome = { index, missing, onMissing: p.onMissing };
      if (p.onMissing === 'skip') skipped.push(o);
      else {
        over[index] = o;
        matched.push(index);
      }
    }
  }
  matched.sort((a, b) => a - b);
  return combine(
    policies,
    Int32Array.from(matched),
    matched.length,
    cfg,
    input.r,
    input.s,
    input.an,
    input.lv,
    input.now,
    input.history,
    input.risk,
    input.policyVersion,
    { over, skipped: skipped.sort((a, b) => a.index - b.index), invalid },
  );
}
