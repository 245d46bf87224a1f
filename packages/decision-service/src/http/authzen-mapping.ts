/**
 * OpenID AuthZEN Authorization API 1.0 (§5 information model, §6 Access Evaluation API) mapped
 * onto Stepgate's decision request and verdict. The PEP sends `{ subject, action, resource,
 * context }`; the PDP answers `{ decision: boolean, context }`, where `context` carries the
 * reasons and — for a step-up — the requirement and the challenge (§6.2.2 lists "instructions for
 * step-up authentication" among the uses of the response context).
 */
import {
  type DecisionRequest,
  type DecisionResponse,
  decodeStepUpContext,
  formatStepUpChallenge,
  type RequestContext,
  type Subject,
} from '@stepgate/protocol';

type Props = Record<string, unknown>;

/** An AuthZEN access evaluation request. */
export interface AuthzenRequest {
  subject: { type: string; id: string; properties?: Props };
  action: { name: string; properties?: Props };
  resource: { type: string; id: string; properties?: Props };
  context?: Props;
}

/** An AuthZEN access evaluation response. */
export interface AuthzenResponse {
  decision: boolean;
  context: Props;
}

const first = (...values: unknown[]) => values.find((v) => v !== undefined);

/** Members beside the named ones: read as properties (the spec's entity schemas are open). */
function extras(entity: object, named: string[]): Props {
  return Object.fromEntries(Object.entries(entity).filter(([k]) => !named.includes(k)));
}

/**
 * Builds the Stepgate decision request. Well-known members: subject properties `session_id`,
 * `auth_time`, `acr`, `roles`, `methods`, `ip_address` (AuthZEN §5.1.1.1); context members `ip`,
 * `user_agent`, `geo`, `transaction`, `step_up_token`, and the device either as `device` (the
 * decoded context) or `step_up_context` (the raw `Step-Up-Context` header). Values keep their
 * JSON types, so the decision request schema rejects a wrongly typed one.
 */
export function toDecisionRequest(req: AuthzenRequest): DecisionRequest {
  const sp = { ...extras(req.subject, ['type', 'id', 'properties']), ...req.subject.properties };
  const rp = { ...extras(req.resource, ['type', 'id', 'properties']), ...req.resource.properties };
  const ap = { ...extras(req.action, ['name', 'properties']), ...req.action.properties };
  const cx = req.context ?? {};
  const subject = { id: req.subject.id } as Subject & Props;
  const set = (target: Props, key: string, value: unknown) => {
    if (value !== undefined) target[key] = value;
  };
  set(subject, 'sessionId', first(sp.session_id, sp.sessionId));
  set(subject, 'authTime', first(sp.auth_time, sp.authTime));
  set(subject, 'acr', sp.acr);
  set(subject, 'roles', sp.roles);
  set(subject, 'methods', sp.methods);
  const context = {} as RequestContext & Props;
  set(context, 'ip', first(cx.ip, cx.ip_address, sp.ip_address));
  set(context, 'userAgent', first(cx.user_agent, cx.userAgent));
  set(context, 'geo', cx.geo);
  const device =
    cx.device ??
    (typeof cx.step_up_context === 'string' ? decodeStepUpContext(cx.step_up_context) : undefined);
  set(context, 'device', device ?? undefined);
  const request = { subject, action: { name: req.action.name } } as DecisionRequest & Props;
  const resource: Props = { type: req.resource.type, id: req.resource.id };
  if (Object.keys(rp).length > 0) resource.attributes = rp;
  request.resource = resource;
  set(request, 'transaction', first(cx.transaction, ap.transaction));
  if (Object.keys(context).length > 0) request.context = context;
  set(request, 'stepUpToken', first(cx.step_up_token, cx.stepUpToken));
  return request;
}

/** Builds the AuthZEN answer: `decision` is true only for `allow`. */
export function toAuthzenResponse(answer: DecisionResponse): AuthzenResponse {
  const context: Props = {
    id: answer.decisionId,
    decision: answer.decision,
    policy_version: answer.policyVersion,
    risk: { score: answer.risk.score, level: answer.risk.level },
    reasons: answer.reasons,
    reason_admin: {
      en: answer.reasons.map((r) => `${r.policyId}: ${r.code}${r.detail ? ` (${r.detail})` : ''}`).join('; '),
    },
  };
  if (answer.decision === 'deny') {
    context.reason_user = { 'en-403': 'This action is not allowed.' };
  }
  if (answer.decision === 'step_up' && answer.requirement && (answer.challenge || answer.providers)) {
    const r = answer.requirement;
    const { challenge, providers } = answer;
    // RFC 9470 §3: every acceptable acr, ours first when Stepgate performs the step-up too.
    const providerAcrs = (providers ?? []).flatMap((p) => p.params.acr_values?.split(' ') ?? []);
    const acrValues = challenge || providerAcrs.length === 0 ? [r.acr, ...providerAcrs] : providerAcrs;
    const stepUp: Props = {
      acr: r.acr,
      acr_values: acrValues,
      level: r.level,
      methods: challenge?.methods ?? [],
      bind_transaction: r.bindTransaction,
      single_use: r.singleUse,
      ...(challenge ? { challenge_id: challenge.id, expires_at: challenge.expiresAt } : {}),
      // RFC 9470 §3: what the PEP answers its own caller with (plus the JSON body of docs/design/README.md).
      www_authenticate: formatStepUpChallenge({
        acrValues,
        ...(r.maxAge === undefined ? {} : { maxAge: r.maxAge }),
        ...(challenge ? { challengeId: challenge.id } : {}),
      }),
    };
    // Identity providers that may perform it (docs/idp.md), with their authorization parameters.
    if (providers !== undefined) stepUp.providers = providers;
    if (r.maxAge !== undefined) stepUp.max_age = r.maxAge;
    if (r.anyAction === true) stepUp.any_action = true;
    context.step_up = stepUp;
    context.reason_user = { 'en-401': 'Please confirm it is you to continue.' };
  }
  return { decision: answer.decision === 'allow', context };
}
