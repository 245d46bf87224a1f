import type { Verdict } from '@stepgate/policy-engine';
import { type DecisionRequest, type InvalidFieldDetails, StepgateError } from '@stepgate/protocol';
import { decisionAuditInput } from '../audit/decision-audit.js';
import { auditOrWithhold } from '../audit/service-audit.js';
import type { Caller, ServiceContext } from '../service-context.js';

/** The JSON pointer of a field in the request body (`transaction.payee.country` → `/body/transaction/payee/country`). */
const bodyPointer = (field: string): string =>
  `/body/${field
    .split('.')
    .map((k) => k.replace(/~/g, '~0').replace(/\//g, '~1'))
    .join('/')}`;

/**
 * Refuses a request whose field does not fit the type the policies give it (docs/policies.md
 * "Typed fields", issue 22): audits it as a decision with the outcome `invalid_request` (never a
 * silent drop; S27, and S29 — an unwritable record withholds the answer as for any decision),
 * then throws the 400 naming the field and the policy in `error.details`.
 *
 * @throws StepgateError `invalid_request` (with `details.invalidField`), or `service_unavailable`
 * when the audit record cannot be written.
 */
export async function refuseInvalidRequest(
  ctx: ServiceContext,
  p: {
    decisionId: string;
    request: DecisionRequest;
    verdict: Verdict & { invalid: NonNullable<Verdict['invalid']> };
    caller: Caller;
    deviceKnown: boolean;
    started: number;
  },
): Promise<never> {
  const { verdict, request } = p;
  const answer = {
    decisionId: p.decisionId,
    decision: 'invalid_request' as const,
    reasons: verdict.reasons,
    risk: verdict.risk,
    reportOnly: verdict.reportOnly,
    policyVersion: verdict.policyVersion,
  };
  const audited = ctx.audit.append(
    decisionAuditInput({ request, response: answer, caller: p.caller, deviceKnown: p.deviceKnown }),
  );
  await auditOrWithhold(ctx, audited);
  ctx.metrics.observeDecision(answer, (performance.now() - p.started) / 1000);
  const invalidField: InvalidFieldDetails = { ...verdict.invalid, policyVersion: verdict.policyVersion };
  ctx.log.info(
    {
      decisionId: p.decisionId,
      userId: request.subject.id,
      action: request.action.name,
      decision: 'invalid_request',
      invalidField,
    },
    'decision refused: a request field does not fit its type',
  );
  throw new StepgateError(
    'invalid_request',
    verdict.reasons[0]?.detail ?? 'a request field has the wrong type',
    {
      details: { path: bodyPointer(verdict.invalid.field), invalidField },
    },
  );
}
