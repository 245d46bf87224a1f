/**
 * Tests' replayable decisions (not part of the package's API): one policy denying `pay` above 100,
 * and the audit input of a decision it made, with its replay input, as the service writes it.
 */
import { compilePolicy, parsePolicyDocument } from '@stepgate/policy-engine';
import type { DecisionAuditInput } from '../audit/audit-event.js';
import { replayInput } from './replay-input.js';
import { EMPTY_HISTORY } from './whatif.js';

/** Denies a `pay` of more than 100; allows the rest. */
export const PAY_POLICY = compilePolicy(
  parsePolicyDocument(`
policies:
  - id: big
    when: { action: pay, transaction.amount: { gt: 100 } }
    effect: deny
default: allow
`),
);

/** The audit input of user u1's `pay` of `amount` at `now` (ms), decided by {@link PAY_POLICY}. */
export function payDecision(id: string, amount: number, now: number): DecisionAuditInput {
  const evaluation = {
    request: { subject: { id: 'u1' }, action: { name: 'pay' }, transaction: { amount, iban: 'FR76…' } },
    now: Math.floor(now / 1000),
    history: EMPTY_HISTORY,
  };
  const v = PAY_POLICY.evaluate(evaluation);
  return {
    type: 'decision',
    decisionId: id,
    who: { userId: 'u1' },
    what: { action: 'pay' },
    where: {},
    decision: v.decision,
    reasons: v.reasons,
    risk: v.risk,
    reportOnly: v.reportOnly,
    policyVersion: v.policyVersion,
    replay: replayInput(evaluation, PAY_POLICY, {}),
  };
}
