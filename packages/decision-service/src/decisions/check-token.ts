import { checkRequirement, type Verdict } from '@stepgate/policy-engine';
import {
  type DecisionRequest,
  type Reason,
  STEP_UP_AUTHORIZATION_TYPE,
  STEPGATE_PERFORMER,
} from '@stepgate/protocol';
import type { Caller, ServiceContext } from '../service-context.js';

/** What a presented upgraded token did to a `step_up` verdict. */
export type TokenOutcome = { accepted: true; reason: Reason } | { accepted: false; reason: Reason };

const rejected = (detail: string, values?: Record<string, unknown>): TokenOutcome => {
  const reason: Reason = { policyId: 'stepgate', code: 'token_rejected', detail };
  if (values) reason.values = values;
  return { accepted: false, reason };
};

/**
 * Checks a presented `stepUpToken` against a `step_up` verdict: that Stepgate may perform it (a
 * requirement for an identity provider only is not met by Stepgate's own tokens), signature and
 * registered claims (S15, S16, S19), then the engine's requirement check (level, freshness, subject, session, action
 * and digest binding), then — only when all of that passes — the atomic single-use consumption of
 * its `jti` (S17). A token that fails any step is refused and not consumed.
 */
export async function checkPresentedToken(
  ctx: ServiceContext,
  params: {
    token: string;
    verdict: Verdict;
    request: DecisionRequest;
    digest: string;
    caller: Caller;
    now: number;
  },
): Promise<TokenOutcome> {
  const { verdict, request, caller } = params;
  const requirement = verdict.requirement;
  if (!requirement) return rejected('no requirement to satisfy');
  // A presented upgraded token records a step-up Stepgate performed (a provider's proof becomes a
  // token that never leaves the service): it meets no requirement that only providers may perform.
  if (!(requirement.performers ?? [STEPGATE_PERFORMER]).includes(STEPGATE_PERFORMER)) {
    return rejected('token refused: performer_not_allowed', { failure: 'performer_not_allowed' });
  }
  const verified = await ctx.tokens.verifyStepUpToken(params.token, caller.audience);
  if (!verified.ok) return rejected(`token refused: ${verified.failure}`, { failure: verified.failure });
  const claims = verified.claims;
  // S16: the token's subject must be the caller's user (the engine checks it too).
  if (claims.sub !== request.subject.id)
    return rejected('token refused: wrong_subject', { failure: 'wrong_subject' });
  const check = checkRequirement(requirement, {
    now: Math.floor(params.now / 1000),
    subject: request.subject,
    action: request.action.name,
    digest: params.digest,
    token: claims,
    acrValues: ctx.config.acrValues,
  });
  if (!check.satisfied) return rejected(check.detail, { failure: check.code });
  if (requirement.singleUse) {
    const expiresAt = (claims.exp + ctx.config.tokens.clockSkew) * 1000;
    if (!(await ctx.store.consumeJti(claims.jti, expiresAt, params.now))) {
      return rejected('token refused: already used', { failure: 'replayed' });
    }
  }
  // The method the step-up proved (S24), for the app to record in `subject.methods`.
  const method = claims.authorization_details.find((d) => d.type === STEP_UP_AUTHORIZATION_TYPE)?.method;
  return {
    accepted: true,
    reason: {
      policyId: 'stepgate',
      code: 'token_accepted',
      detail: `upgraded token at ${claims.acr} satisfies the requirement`,
      values: {
        acr: claims.acr,
        amr: claims.amr,
        singleUse: requirement.singleUse,
        ...(method === undefined ? {} : { method }),
      },
    },
  };
}
