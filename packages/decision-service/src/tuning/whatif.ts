/**
 * What-if (issue 17 §2): one request through candidate policies with the engine's `whatIf` — the
 * verdict and, for each policy that did not match, its first failing condition. Nothing is
 * written and no challenge is created.
 */
import type { CompiledPolicy, EvaluationInput, HistorySnapshot, WhatIfResult } from '@stepgate/policy-engine';
import type { DecisionRequest } from '@stepgate/protocol';

/** The answer of `POST /v1/whatif` and `stepgate policy whatif --format json`. */
export type WhatIfAnswer = WhatIfResult;

/** A history with nothing in it: no enrolled method, an unknown device, no previous request. */
export const EMPTY_HISTORY: HistorySnapshot = {
  enrolledMethods: [],
  device: { rememberedToken: false, fingerprintSeen: false, accountsOnDevice: 0 },
  recentFailures: 0,
  actionCounts: {},
};

/**
 * The evaluation input of a what-if file or body: either a decision request, or
 * `{ request, now?, history? }` (a replay input from the audit log has this shape).
 */
export function whatIfInput(
  value: unknown,
  now: number,
  history: HistorySnapshot = EMPTY_HISTORY,
): EvaluationInput | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (v.request && typeof v.request === 'object') {
    return {
      request: v.request as DecisionRequest,
      now: typeof v.now === 'number' && Number.isFinite(v.now) ? v.now : now,
      history: v.history && typeof v.history === 'object' ? (v.history as HistorySnapshot) : history,
    };
  }
  if (v.subject && v.action) return { request: v as unknown as DecisionRequest, now, history };
  return undefined;
}

/** Tokens are never evaluated: a what-if says what the policies decide, not what a token proves. */
export function whatIf(policy: CompiledPolicy, input: EvaluationInput): WhatIfAnswer {
  const { stepUpToken: _t, idpToken: _i, ...request } = input.request;
  return policy.whatIf({ ...input, request });
}

/** The what-if as lines for a terminal. */
export function whatIfLines(answer: WhatIfAnswer): string[] {
  const lines = [`decision: ${answer.decision}  (policies ${answer.policyVersion})`];
  if (answer.requirement) lines.push(`requirement: ${answer.requirement.level}`);
  if (answer.invalid)
    lines.push(
      `invalid: ${answer.invalid.field} is ${answer.invalid.actual}, expected ${answer.invalid.expected}`,
    );
  lines.push(`risk: ${answer.risk.score} (${answer.risk.level})`);
  for (const r of answer.reasons) lines.push(`  ${r.policyId}: ${r.code}${r.detail ? ` — ${r.detail}` : ''}`);
  for (const r of answer.reportOnly) lines.push(`  ${r.policyId} (report-only): would ${r.decision}`);
  for (const n of answer.notMatched) {
    const f = n.failed;
    lines.push(
      `  ${n.policyId}${n.mode === 'report-only' ? ' (report-only)' : ''} did not match: ${f.field} ${f.op} ${JSON.stringify(f.expected)}, got ${JSON.stringify(f.actual)}${f.missing ? ' (missing)' : ''}  at ${f.path}`,
    );
  }
  return lines;
}
