import type { DecisionRequest, DecisionResponse } from '@stepgate/protocol';
import type { Caller } from '../service-context.js';
import type { ReplayInput } from '../tuning/replay-input.js';
import type { DecisionAuditInput, DecisionOutcome } from './audit-event.js';

/**
 * The audit input of one decision: who (user, session, API key id), what (action, resource,
 * transaction digest), where (effective IP, country, device id, whether a remembered-device token
 * was verified), the reasons with their signal values, report-only outcomes and the policy
 * version. The request's `stepUpToken` and device token are never read (S27).
 *
 * @example
 * await audit.append(decisionAuditInput({ request, response, caller, deviceKnown: false }));
 */
export function decisionAuditInput(p: {
  request: DecisionRequest;
  /** The answer; `decision: 'invalid_request'` for a request refused for a field of the wrong type. */
  response: Omit<DecisionResponse, 'decision'> & { decision: DecisionOutcome };
  caller: Caller;
  deviceKnown: boolean;
  digest?: string;
  /** The evaluation input to keep for backtests (src/tuning/replay-input.ts). */
  replay?: ReplayInput;
}): DecisionAuditInput {
  const { request, response, caller } = p;
  const input: DecisionAuditInput = {
    type: 'decision',
    decisionId: response.decisionId,
    who: { userId: request.subject.id, apiKeyId: caller.apiKeyId, audience: caller.audience },
    what: { action: request.action.name },
    where: { deviceKnown: p.deviceKnown },
    decision: response.decision,
    reasons: response.reasons,
    risk: response.risk,
    reportOnly: response.reportOnly,
    policyVersion: response.policyVersion,
  };
  if (request.subject.sessionId !== undefined) input.who.sessionId = request.subject.sessionId;
  if (request.resource?.type !== undefined) input.what.resourceType = request.resource.type;
  if (request.resource?.id !== undefined) input.what.resourceId = request.resource.id;
  if (p.digest !== undefined) input.what.transactionDigest = p.digest;
  if (response.requirement) input.what.level = response.requirement.level;
  const ctx = request.context;
  if (ctx?.ip !== undefined) input.where.ip = ctx.ip;
  if (ctx?.geo?.country !== undefined) input.where.country = ctx.geo.country;
  if (ctx?.device?.deviceId !== undefined) input.where.deviceId = ctx.device.deviceId;
  if (ctx?.userAgent !== undefined) input.where.userAgent = ctx.userAgent;
  if (response.challenge) input.challengeId = response.challenge.id;
  if (p.replay) input.replay = p.replay;
  return input;
}
