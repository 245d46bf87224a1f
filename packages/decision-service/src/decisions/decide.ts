import {
  type DecisionRequest,
  type DecisionResponse,
  type Geo,
  type Method,
  type RequestContext,
  STEPGATE_PERFORMER,
} from '@stepgate/protocol';
import { decisionAuditInput } from '../audit/decision-audit.js';
import { auditOrWithhold } from '../audit/service-audit.js';
import { type PreparedChallenge, prepareChallenge } from '../challenges/open-challenge.js';
import { nonceBinding } from '../idps/provider-nonce.js';
import { providerStepUps } from '../idps/provider-step-up.js';
import { newDecisionId } from '../ids.js';
import { logCensored } from '../logging/logger.js';
import type { Caller, ServiceContext } from '../service-context.js';
import { historySnapshot } from '../state/history.js';
import { type Traced, withSpan } from '../telemetry/tracing.js';
import { replayInput } from '../tuning/replay-input.js';
import { checkProviderToken } from './check-provider-token.js';
import { checkPresentedToken } from './check-token.js';
import { requestDigest } from './digest.js';
import { refuseInvalidRequest } from './refuse-invalid.js';

/** Inputs of {@link decide} beyond the request body. */
export interface DecideOptions {
  caller: Caller;
  /** The client IP forwarded in `Stepgate-Client-IP` by a trusted caller; wins over `context.ip`. */
  forwardedIp?: string;
}

/** The request as the engine sees it: effective IP and geo filled in. */
function effectiveRequest(ctx: ServiceContext, request: DecisionRequest, forwardedIp: string | undefined) {
  const ip = forwardedIp ?? request.context?.ip;
  let geo: Geo | undefined = request.context?.geo;
  if (geo === undefined && ip !== undefined) geo = ctx.geo?.lookup(ip);
  const context: RequestContext = { ...request.context };
  if (ip !== undefined) context.ip = ip;
  if (geo !== undefined) context.geo = geo;
  return { request: { ...request, context }, ip, geo };
}

/**
 * Decides one request (docs/design/wire-contract.md "HTTP API (v1)", `POST /v1/decisions`): loads the user's state,
 * evaluates the policies, checks a presented upgraded token, creates a challenge for a `step_up`,
 * and records the decision and its effects on the user's state.
 *
 * @throws StepgateError `invalid_request` (audited) when a request field does not fit the type
 * the policies give it; `service_unavailable` when the audit record cannot be written.
 */
export function decide(
  ctx: ServiceContext,
  body: DecisionRequest,
  options: DecideOptions,
): Promise<DecisionResponse> {
  // OpenTelemetry: one `stepgate.decision` span, its stages as children (no-op without an SDK).
  return withSpan('stepgate.decision', { 'stepgate.action': body.action.name }, async (traced) => {
    const response = await decideTraced(ctx, body, options, traced);
    traced.span.setAttributes({
      'stepgate.decision': response.decision,
      'stepgate.decision_id': response.decisionId,
      'stepgate.policy_version': response.policyVersion,
    });
    return response;
  });
}

async function decideTraced(
  ctx: ServiceContext,
  body: DecisionRequest,
  options: DecideOptions,
  traced: Traced,
): Promise<DecisionResponse> {
  const started = performance.now();
  const now = ctx.now();
  const nowSec = Math.floor(now / 1000);
  const policy = ctx.policies.current; // read once: a reload mid-request cannot mix two versions
  const { request, ip, geo } = effectiveRequest(ctx, body, options.forwardedIp);
  const userId = request.subject.id;
  const device = request.context?.device;
  const fingerprintHash = device?.fingerprint
    ? ctx.sealer.hmac('fingerprint', device.fingerprint)
    : undefined;
  const query: Parameters<ServiceContext['store']['loadUserState']>[0] = {
    userId,
    windowStart: now - ctx.config.history.window * 1000,
  };
  if (device?.deviceId) query.deviceId = device.deviceId;
  if (fingerprintHash) query.fingerprintHash = fingerprintHash;
  const state = await traced.stage('load_state', () => ctx.store.loadUserState(query));
  // S25: only a device token this service signed for this same user and device lowers risk.
  const rememberedToken =
    device?.deviceToken !== undefined &&
    (
      await traced.stage('device_token', () =>
        ctx.tokens.verifyDeviceToken(device.deviceToken as string, userId, device.deviceId),
      )
    ).ok;
  const history = historySnapshot(state, policy, rememberedToken);
  const { stepUpToken, idpToken, ...forEngine } = request;
  const evaluation = { request: forEngine, now: nowSec, history };
  const verdict = traced.stage('evaluate', () => policy.evaluate(evaluation));

  const decisionId = newDecisionId(now);
  if (verdict.invalid !== undefined) {
    // A field of the wrong type: a 400, audited; the request was not evaluated (issue 22).
    await refuseInvalidRequest(ctx, {
      decisionId,
      request,
      verdict: verdict as typeof verdict & { invalid: NonNullable<typeof verdict.invalid> },
      caller: options.caller,
      deviceKnown: rememberedToken,
      started,
    });
  }
  const response: DecisionResponse = {
    decisionId,
    decision: verdict.decision,
    reasons: [...verdict.reasons],
    risk: verdict.risk,
    reportOnly: verdict.reportOnly,
    policyVersion: verdict.policyVersion,
  };
  if (verdict.requirement) response.requirement = verdict.requirement;

  let digest: string | undefined;
  let challenge: PreparedChallenge | undefined;
  if (verdict.decision === 'step_up' && verdict.requirement) {
    digest = requestDigest(request.action.name, request.transaction);
    let accepted = false;
    if (stepUpToken !== undefined) {
      const bound = digest;
      const outcome = await traced.stage('step_up_token', () =>
        checkPresentedToken(ctx, {
          token: stepUpToken,
          verdict,
          request,
          digest: bound,
          caller: options.caller,
          now,
        }),
      );
      response.reasons.push(outcome.reason);
      accepted = outcome.accepted;
    }
    // The evidence of a step-up an identity provider performed (docs/idp.md).
    if (!accepted && idpToken !== undefined) {
      const outcome = await checkProviderToken(ctx, {
        token: idpToken,
        verdict,
        request,
        digest,
        caller: options.caller,
        now,
        decisionId,
      });
      response.reasons.push(outcome.reason);
      accepted = outcome.accepted;
    }
    if (accepted) {
      response.decision = 'allow';
    } else {
      const requirement = verdict.requirement;
      const byStepgate = (requirement.performers ?? [STEPGATE_PERFORMER]).includes(STEPGATE_PERFORMER);
      const enrolled = new Set(history.enrolledMethods.map((m) => m.method));
      const methods: Method[] = byStepgate
        ? (verdict.usableMethods ?? requirement.methods.filter((m) => enrolled.has(m)))
        : [];
      const providers = providerStepUps(
        ctx.idps,
        ctx.sealer,
        requirement,
        nonceBinding('', request, digest, requirement.bindTransaction || requirement.maxAge === 0),
        nowSec,
        ctx.config.challenges.lifetime,
      );
      if (providers.length > 0) response.providers = providers;
      if (methods.length === 0 && providers.length === 0) {
        // Never quietly downgrade a requirement nobody can meet (docs/policies.md).
        response.decision = 'deny';
        response.reasons.push({
          policyId: 'stepgate',
          code: 'requirement_unsatisfiable',
          detail: 'the user has no enrolled method that meets the requirement',
        });
      } else if (methods.length > 0) {
        challenge = prepareChallenge(
          ctx.challengeDeps,
          {
            subject: request.subject,
            action: request.action.name,
            digest,
            requirement: verdict.requirement,
            methods,
            decisionId,
            audience: options.caller.audience,
            now,
            ...(request.transaction === undefined ? {} : { transaction: request.transaction }),
            ...(device?.deviceId === undefined ? {} : { deviceId: device.deviceId }),
            ...(ip === undefined ? {} : { ip }),
          },
          state,
        );
        response.challenge = challenge.ref;
      }
    }
  }

  const effects: Parameters<ServiceContext['store']['recordDecision']>[0] = {
    decision: {
      id: decisionId,
      at: now,
      userId,
      action: request.action.name,
      decision: response.decision,
      apiKeyId: options.caller.apiKeyId,
      policyVersion: response.policyVersion,
    },
    userId,
    action: request.action.name,
    at: now,
    deviceKnown: state.deviceKnown,
    fingerprintSeen: state.fingerprintSeen,
  };
  if (ip !== undefined) effects.ip = ip;
  if (geo !== undefined) effects.geo = geo;
  if (device?.deviceId) effects.deviceId = device.deviceId;
  if (fingerprintHash) effects.fingerprintHash = fingerprintHash;
  if (challenge) effects.challenge = { record: challenge.record, binding: challenge.binding };
  // S29: the records go to the audit writer first, so their commit overlaps the state write; the
  // answer leaves only once they are durable (else the decision is withheld: 503). A step-up's
  // `challenge.created` is queued just before the decision's record: one commit for both.
  const challengeAudited = challenge && ctx.challengeDeps.events.append(challenge.event);
  challengeAudited?.catch(() => {}); // awaited below; this only keeps a failed write from being "unhandled" meanwhile
  const audited = ctx.audit.append(
    decisionAuditInput({
      request,
      response,
      caller: options.caller,
      deviceKnown: rememberedToken,
      ...(ctx.config.audit.replay.enabled
        ? { replay: replayInput(evaluation, policy, ctx.config.audit.replay) }
        : {}),
      ...(digest !== undefined || request.transaction !== undefined
        ? { digest: digest ?? requestDigest(request.action.name, request.transaction) }
        : {}),
    }),
  );
  audited.catch(() => {});
  // The challenge is stored with the decision, in the same transaction.
  await traced.stage('record', () => ctx.store.recordDecision(effects));
  await traced.stage('audit', async () => {
    await auditOrWithhold(ctx, audited);
    await challengeAudited;
  });
  ctx.metrics.observeDecision(response, (performance.now() - started) / 1000);
  logCensored(
    ctx.log,
    {
      decisionId,
      userId,
      action: request.action.name,
      decision: response.decision,
      risk: response.risk.score,
      policies: response.reasons.map((r) => `${r.policyId}:${r.code}`),
      policyVersion: response.policyVersion,
    },
    'decision',
  );
  return response;
}
