import {
  type ChallengeRef,
  type DecisionResponse,
  type DenyAnswerBody,
  type ErrorBody,
  type ErrorCode,
  formatStepUpChallenge,
  type InvalidFieldDetails,
  type ProviderStepUp,
  type ProviderStepUpAnswerBody,
  type PublicReason,
  type Requirement,
  type StepUpAnswerBody,
} from '@stepgate/protocol';

/** An HTTP answer the adapter writes as is. */
export interface GuardAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

const NO_STORE = { 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8' };

/** An error answer `{ error: { code, message } }`. */
export function errorAnswer(status: number, code: ErrorCode, message: string): GuardAnswer {
  const body: ErrorBody = { error: { code, message } };
  return { status, headers: { ...NO_STORE }, body };
}

/**
 * 400 `invalid_request` for a request field of another type than the policies give it (issue 22):
 * `error.details` names the field and the policy, `error.path` its place in the decision request.
 */
export function invalidFieldAnswer(message: string, details: InvalidFieldDetails | undefined): GuardAnswer {
  const body: ErrorBody = {
    error: {
      code: 'invalid_request',
      message,
      ...(details === undefined ? {} : { path: `/${details.field.split('.').join('/')}`, details }),
    },
  };
  return { status: 400, headers: { ...NO_STORE }, body };
}

/** 503 `decision_unavailable`: the request does not run (S20). */
export const unavailableAnswer = (): GuardAnswer =>
  errorAnswer(503, 'decision_unavailable', 'The request could not be checked. Try again in a moment.');

/**
 * 401 with the RFC 9470 challenge (plus `step_up_challenge`) and the docs/design/wire-contract.md body:
 * what the guards answer for a `step_up` verdict, and what an app answers for any other `step_up`
 * it gets from the service — for example from {@link Stepgate.createEnrollmentTicket} when the user
 * already has a factor (S31) — so sdk-core's flow runs the challenge and retries the request.
 *
 * When identity providers may perform the step-up (`providers`, docs/idp.md), `acr_values` lists
 * their `acr` values too (after Stepgate's own, when Stepgate performs it as well) and each
 * provider's authorization request parameters go in the body: in `stepUp.providers` beside a
 * Stepgate challenge, or as the body's `providers` when only providers perform it (then the header
 * is a plain RFC 9470 challenge without `step_up_challenge`).
 *
 * @param stepUp - The verdict's (or enrollment answer's) `requirement`, `challenge` and `providers`.
 * @param challengeUrl - Absolute URL of `GET /v1/challenges/{id}`, through the proxy when mounted.
 * @param message - The error message of the body.
 * @example
 * const answer = await stepgate.createEnrollmentTicket(userId, subject);
 * if ('ticket' in answer) return res.json(answer);
 * const { status, headers, body } = stepUpAnswer(answer, `${origin}/stepgate/v1/challenges/${answer.challenge.id}`);
 * res.status(status).set(headers).json(body);
 */
export function stepUpAnswer(
  stepUp: {
    requirement?: Requirement | undefined;
    challenge?: ChallengeRef | undefined;
    providers?: ProviderStepUp[] | undefined;
  },
  challengeUrl: string,
  message = 'This request needs a fresh or stronger authentication.',
): GuardAnswer {
  // The client checked every step_up it returns: it carries its requirement, and a challenge or providers.
  const { challenge, requirement, providers } = stepUp as {
    requirement: Requirement;
    challenge?: ChallengeRef;
    providers?: ProviderStepUp[];
  };
  const maxAge = requirement.maxAge;
  // RFC 9470 §3: every acceptable `acr` value, in order of preference.
  const providerAcrs = (providers ?? []).flatMap((p) => p.params.acr_values?.split(' ') ?? []);
  if (challenge === undefined) {
    const body: ProviderStepUpAnswerBody = {
      error: { code: 'insufficient_user_authentication', message },
      providers: providers ?? [],
    };
    const header = formatStepUpChallenge({
      ...(providerAcrs.length > 0 ? { acrValues: providerAcrs } : { acr: requirement.acr }),
      ...(maxAge === undefined ? {} : { maxAge }),
    });
    return { status: 401, headers: { ...NO_STORE, 'www-authenticate': header }, body };
  }
  const body: StepUpAnswerBody = {
    error: { code: 'insufficient_user_authentication', message },
    stepUp: {
      challengeId: challenge.id,
      challengeUrl,
      acr: requirement.acr,
      ...(maxAge === undefined ? {} : { maxAge }),
      methods: challenge.methods,
      expiresAt: challenge.expiresAt,
      ...(providers === undefined || providers.length === 0 ? {} : { providers }),
    },
  };
  const header = formatStepUpChallenge({
    acr: requirement.acr,
    acrValues: providerAcrs,
    ...(maxAge === undefined ? {} : { maxAge }),
    challengeId: challenge.id,
  });
  return { status: 401, headers: { ...NO_STORE, 'www-authenticate': header }, body };
}

/**
 * 403 `access_denied` with the reasons that are safe to show: policy id, code and its text, never the
 * signal values (IP, device, geo) that made a policy match.
 */
export function denyAnswer(verdict: DecisionResponse): GuardAnswer {
  const reasons: PublicReason[] = verdict.reasons.map((r) => ({
    policyId: r.policyId,
    code: r.code,
    ...(typeof r.detail === 'string' ? { detail: r.detail.slice(0, 300) } : {}),
  }));
  const body: DenyAnswerBody = {
    error: { code: 'access_denied', message: 'This request is not allowed.' },
    reasons,
  };
  return { status: 403, headers: { ...NO_STORE }, body };
}
