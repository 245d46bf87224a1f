/**
 * A token of a configured identity provider presented as the evidence of a step-up it performed
 * (`idpToken`, docs/idp.md "Coming back"). Verified with jose against the provider's JWKS, mapped
 * to a level with the operator's map, then converted into Stepgate's own upgraded token for this
 * very request — bound to its action and digest — and checked exactly as one (S2, S17, S34).
 */
import { createHash } from 'node:crypto';
import { checkRequirement, type Verdict } from '@stepgate/policy-engine';
import {
  AMR_VALUES,
  type Amr,
  type DecisionRequest,
  type Level,
  type Method,
  providerLevel,
  type Reason,
} from '@stepgate/protocol';
import type { LifecycleAuditInput } from '../audit/audit-event.js';
import type { IdpSettings } from '../config/idps-config.js';
import { type ProviderTokenFailure, unverifiedIssuer } from '../idps/identity-provider.js';
import { provenMethod } from '../idps/provider-methods.js';
import { checkProviderNonce, nonceBinding } from '../idps/provider-nonce.js';
import type { Caller, ServiceContext } from '../service-context.js';
import type { TokenOutcome } from './check-token.js';

const KNOWN_AMR = new Set<string>(AMR_VALUES);

/** The single-use id of a provider's token: its `jti`, else the SHA-256 of the token. */
function tokenId(idp: IdpSettings, token: string, jti: unknown): string {
  const id =
    typeof jti === 'string' && jti !== '' && jti.length <= 256
      ? jti
      : createHash('sha256').update(token).digest('base64url');
  return `idp:${idp.id}:${id}`;
}

/**
 * Checks a presented identity-provider token against a `step_up` verdict, in this order: a
 * configured issuer that the requirement names as performer; signature, `iss`, `aud`, `azp`,
 * `exp`/`nbf`/`iat` (jose, the provider's published algorithms, never `none` or a MAC); the
 * mapped user (`subjectClaim` equals `subject.id`); a level from `acrMap`/`amrMap`; for a
 * requirement that restricts methods, an `amr` value that `methods` maps to an allowed one; the `nonce`
 * of a step-up answer for this very request (unless the requirement accepts any action; with
 * `maxAge: 0` the sign-in must also follow the answer); then the
 * engine's requirement check on the Stepgate token minted from it (level, `auth_time` within
 * `maxAge` at the mapped level, session, action, digest); and last, for a single-use requirement,
 * the atomic consumption of the provider token's `jti` (or hash). Every outcome is audited.
 */
export async function checkProviderToken(
  ctx: ServiceContext,
  params: {
    token: string;
    verdict: Verdict;
    request: DecisionRequest;
    digest: string;
    caller: Caller;
    now: number;
    decisionId: string;
  },
): Promise<TokenOutcome> {
  const { request, caller, now } = params;
  const requirement = params.verdict.requirement!;
  const nowSec = Math.floor(now / 1000);
  const skew = ctx.config.tokens.clockSkew;
  const subject = request.subject;
  const audit = (
    event: Omit<LifecycleAuditInput, 'who' | 'what' | 'decisionId'>,
    level?: Level,
    method?: Method,
  ) =>
    ctx.audit.append({
      ...event,
      who: {
        userId: subject.id,
        apiKeyId: caller.apiKeyId,
        audience: caller.audience,
        ...(subject.sessionId === undefined ? {} : { sessionId: subject.sessionId }),
      },
      what: {
        action: request.action.name,
        transactionDigest: params.digest,
        ...(method ? { method } : {}),
        ...(level ? { level } : {}),
      },
      decisionId: params.decisionId,
    });
  const refuse = async (
    failure: ProviderTokenFailure | string,
    idp?: IdpSettings,
    id?: string,
  ): Promise<TokenOutcome> => {
    await audit({
      type: 'token.rejected',
      outcome: 'rejected',
      detail: { failure, ...(idp ? { idp: idp.id } : {}) },
      ...(id ? { tokenId: id } : {}),
    });
    const reason: Reason = {
      policyId: 'stepgate',
      code: 'token_rejected',
      detail: `identity provider token refused: ${failure}`,
      values: { failure, ...(idp ? { idp: idp.id } : {}) },
    };
    return { accepted: false, reason };
  };

  const issuer = unverifiedIssuer(params.token);
  const provider = issuer === undefined ? undefined : ctx.idps.byIssuer(issuer);
  if (!provider) return refuse(issuer === undefined ? 'malformed' : 'unknown_issuer');
  const idp = provider.settings;
  if (!(requirement.performers ?? []).includes(provider.performer))
    return refuse('performer_not_allowed', idp);
  const verified = await provider.verify(params.token, now, skew);
  if (!verified.ok) return refuse(verified.failure, idp);
  const claims = verified.claims;
  const id = tokenId(idp, params.token, claims.jti);
  // The documented mapping: the claim named by `subjectClaim` holds the app's user id.
  if (claims[idp.subjectClaim] !== subject.id) return refuse('wrong_subject', idp, id);
  const level = providerLevel(claims, idp.acrMap, idp.amrMap);
  if (level === undefined) return refuse('level_unmapped', idp, id);
  // S2: for a requirement that restricts methods, the token must show an allowed one — an `amr`
  // value the operator's `methods` map turns into it. No `amr` proves no method.
  let method: Method | undefined;
  if (requirement.providerMethods !== undefined) {
    method = provenMethod(claims.amr, idp.methods, requirement.providerMethods);
    if (method === undefined) return refuse('method_not_allowed', idp, id);
  }
  const bound = requirement.bindTransaction || requirement.maxAge === 0;
  let askedAt: number | undefined;
  // S34: like Stepgate's own, a provider's token counts for the request it was asked for — the
  // nonce of the step-up answer says which — unless every policy behind the requirement accepts
  // any action. A token without our nonce (the app's sign-in token, an access token) is not.
  if (requirement.anyAction !== true) {
    if (claims.nonce === undefined) return refuse('token_not_bound', idp, id);
    const nonce = checkProviderNonce(
      ctx.sealer,
      claims.nonce,
      nonceBinding(idp.id, request, params.digest, bound),
      nowSec,
      // A bound step-up is answered within a challenge's lifetime; otherwise `auth_time` decides.
      bound ? ctx.config.challenges.lifetime : Number.POSITIVE_INFINITY,
    );
    if (!nonce.ok) return refuse(nonce.failure, idp, id);
    askedAt = nonce.iat;
  }
  const authTime =
    typeof claims.auth_time === 'number' && Number.isFinite(claims.auth_time) ? claims.auth_time : undefined;
  if (authTime === undefined && requirement.maxAge !== undefined) return refuse('auth_time_missing', idp, id);
  // "For this request only": the user authenticated after the step-up was asked for.
  if (requirement.maxAge === 0 && askedAt !== undefined && authTime! < askedAt - skew) {
    return refuse('auth_too_old', idp, id);
  }
  // S2: the minted token claims the mapped level, the provider's RFC 8176 values Stepgate knows,
  // and the provider's `auth_time`: what was proven, and when.
  const amr = (Array.isArray(claims.amr) ? claims.amr : []).filter(
    (a): a is Amr => typeof a === 'string' && KNOWN_AMR.has(a),
  );
  const minted = ctx.tokens.mintStepUpToken({
    sub: subject.id,
    aud: caller.audience,
    acr: ctx.config.acrValues[level],
    amr: [...new Set(amr)],
    authTime: authTime ?? (claims.iat as number),
    ...(subject.sessionId === undefined ? {} : { sid: subject.sessionId }),
    action: request.action.name,
    digest: params.digest,
    // S24: the allowed method the provider's `amr` proved, when the requirement restricts methods.
    ...(method === undefined ? {} : { method }),
  });
  const check = checkRequirement(requirement, {
    now: nowSec,
    subject,
    action: request.action.name,
    digest: params.digest,
    token: minted.claims,
    acrValues: ctx.config.acrValues,
  });
  if (!check.satisfied) return refuse(check.code, idp, id);
  if (requirement.singleUse) {
    const expiresAt = ((claims.exp as number) + skew) * 1000;
    if (!(await ctx.store.consumeJti(id, expiresAt, now))) return refuse('replayed', idp, id);
  }
  await audit({ type: 'token.accepted', outcome: 'ok', tokenId: id, detail: { idp: idp.id } }, level, method);
  // The Stepgate token the proof became: used for this request only, it never leaves the service.
  await audit(
    { type: 'token.issued', outcome: 'ok', tokenId: minted.claims.jti, detail: { idp: idp.id } },
    level,
    method,
  );
  return {
    accepted: true,
    reason: {
      policyId: 'stepgate',
      code: 'token_accepted',
      detail: `identity provider token from ${idp.id} at ${level} satisfies the requirement`,
      values: {
        idp: idp.id,
        acr: minted.claims.acr,
        amr: minted.claims.amr,
        singleUse: requirement.singleUse,
        ...(method === undefined ? {} : { method }),
        ...(typeof claims.acr === 'string' ? { providerAcr: claims.acr } : {}),
      },
    },
  };
}
