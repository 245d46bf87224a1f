/**
 * RFC 9470 step-up challenges: format ours, and parse ours and the dialects clients meet in the
 * wild (Entra, Okta, Auth0, Clerk) into one shape.
 */
import { type AuthChallenge, isToken, parseAuthenticateHeader, quoteString } from './auth-header.js';
import {
  readAuth0Body,
  readClerkBody,
  readEntraClaims,
  readMaxAge,
  readProviderStepUps,
  readStepUpInfo,
  splitAcrValues,
} from './challenge-dialects.js';
import { StepgateError } from './errors.js';
import { isNonNegativeInteger, isRecord, parseJson } from './guards.js';
import type { ProviderStepUp, StepUpInfo } from './types.js';

/** The RFC 9470 error code. */
export const INSUFFICIENT_USER_AUTHENTICATION = 'insufficient_user_authentication';
/** Our `WWW-Authenticate` parameter naming the Stepgate challenge. */
export const STEP_UP_CHALLENGE_PARAM = 'step_up_challenge';

/** Where a parsed step-up challenge comes from. */
export type StepUpDialect = 'stepgate' | 'rfc9470' | 'entra' | 'okta' | 'auth0' | 'clerk';

/** A step-up challenge in any dialect, mapped to one shape. */
export interface ParsedStepUpChallenge {
  /** `stepgate` exactly when a `step_up_challenge` parameter or our JSON `stepUp` body is present. */
  dialect: StepUpDialect;
  /** Acceptable `acr` values in order of preference (Entra: authentication context ids). */
  acrValues: string[];
  /** Seconds since the last authentication that are still acceptable. */
  maxAge?: number;
  /** The Stepgate challenge id. */
  challengeId?: string;
  /** Our JSON body's `stepUp` member. */
  stepUp?: StepUpInfo;
  /** Entra: the decoded `claims` JSON, to pass back to the authorize request. */
  claims?: unknown;
  /**
   * Identity providers that may perform the step-up, with their authorization request
   * parameters: from our JSON body (`providers`, or `stepUp.providers`).
   */
  providers?: ProviderStepUp[];
  /** The challenge's parameters (or, for body-only dialects, the body's string fields). */
  raw: Record<string, string>;
  /** The auth-scheme of the matched challenge, when it came from the header. */
  scheme?: string;
  /** The `error` code of the matched challenge or body. */
  error?: string;
  /** The `error_description` of the matched challenge or body. */
  errorDescription?: string;
}

/** Options of {@link formatStepUpChallenge}. */
export interface StepUpChallengeParams {
  /** An `acr` value; put first in `acr_values`. */
  acr?: string;
  /** More `acr` values, in order of preference. */
  acrValues?: string[];
  /** `max_age` in seconds. */
  maxAge?: number;
  /** The Stepgate challenge id (`step_up_challenge`). */
  challengeId?: string;
  /** @defaultValue `'Bearer'` */
  scheme?: string;
  errorDescription?: string;
}

function quoted(name: string, value: string): string {
  const q = quoteString(value);
  if (q === null)
    throw new StepgateError('invalid_request', `${name} holds a character a header cannot carry`);
  return q;
}

/**
 * Formats the `WWW-Authenticate` value of a step-up answer (RFC 9470 §3), values quoted.
 *
 * @throws {@link StepgateError} `invalid_request` when the scheme is not a token, an `acr` value is
 * empty or holds whitespace, `maxAge` is not a non-negative integer, or a value holds a character a
 * header cannot carry.
 * @example
 * formatStepUpChallenge({ acr: 'urn:stepgate:aal2', maxAge: 300, challengeId: 'chl_1' });
 * // 'Bearer error="insufficient_user_authentication", acr_values="urn:stepgate:aal2", max_age="300", step_up_challenge="chl_1"'
 */
export function formatStepUpChallenge(params: StepUpChallengeParams): string {
  const scheme = params.scheme ?? 'Bearer';
  if (!isToken(scheme)) throw new StepgateError('invalid_request', 'The scheme must be an RFC 9110 token');
  const parts = [`${scheme} error="${INSUFFICIENT_USER_AUTHENTICATION}"`];
  if (params.errorDescription !== undefined) {
    parts.push(`error_description=${quoted('errorDescription', params.errorDescription)}`);
  }
  const acrValues = [
    ...new Set([...(params.acr === undefined ? [] : [params.acr]), ...(params.acrValues ?? [])]),
  ];
  for (const acr of acrValues) {
    if (acr === '' || /[\s]/.test(acr)) {
      throw new StepgateError('invalid_request', 'An acr value must be non-empty and hold no whitespace');
    }
  }
  if (acrValues.length > 0) parts.push(`acr_values=${quoted('acrValues', acrValues.join(' '))}`);
  if (params.maxAge !== undefined) {
    if (!isNonNegativeInteger(params.maxAge)) {
      throw new StepgateError('invalid_request', 'maxAge must be a non-negative integer number of seconds');
    }
    parts.push(`max_age="${params.maxAge}"`);
  }
  if (params.challengeId !== undefined) {
    if (params.challengeId === '')
      throw new StepgateError('invalid_request', 'challengeId must not be empty');
    parts.push(`${STEP_UP_CHALLENGE_PARAM}=${quoted('challengeId', params.challengeId)}`);
  }
  return parts.join(', ');
}

function fromChallenge(dialect: StepUpDialect, c: AuthChallenge): ParsedStepUpChallenge {
  const { params } = c;
  const parsed: ParsedStepUpChallenge = {
    dialect,
    acrValues: splitAcrValues(params.acr_values),
    raw: params,
  };
  parsed.scheme = c.scheme;
  const maxAge = readMaxAge(params.max_age);
  if (maxAge !== undefined) parsed.maxAge = maxAge;
  if (params.error !== undefined) parsed.error = params.error;
  if (params.error_description !== undefined) parsed.errorDescription = params.error_description;
  return parsed;
}

function stepgate(c: AuthChallenge | undefined, stepUp: StepUpInfo | undefined): ParsedStepUpChallenge {
  const parsed: ParsedStepUpChallenge =
    c === undefined ? { dialect: 'stepgate', acrValues: [], raw: {} } : fromChallenge('stepgate', c);
  const challengeId = c?.params[STEP_UP_CHALLENGE_PARAM] ?? stepUp?.challengeId;
  if (challengeId !== undefined) parsed.challengeId = challengeId;
  // A body that names another challenge than the header is not trusted to describe it.
  if (stepUp !== undefined && stepUp.challengeId === challengeId) {
    parsed.stepUp = stepUp;
    if (parsed.acrValues.length === 0) parsed.acrValues = [stepUp.acr];
    if (parsed.maxAge === undefined && stepUp.maxAge !== undefined) parsed.maxAge = stepUp.maxAge;
    if (c === undefined) parsed.error = INSUFFICIENT_USER_AUTHENTICATION;
  }
  return parsed;
}

const HEADER_DIALECTS = [
  ['rfc9470', INSUFFICIENT_USER_AUTHENTICATION],
  ['entra', 'insufficient_claims'],
  ['okta', 'insufficient_authentication_context'],
  ['auth0', 'mfa_required'],
] as const;

function parse(wwwAuthenticate: string | null | undefined, body: unknown): ParsedStepUpChallenge | null {
  const challenges =
    typeof wwwAuthenticate === 'string' ? (parseAuthenticateHeader(wwwAuthenticate) ?? []) : [];
  const data = typeof body === 'string' ? parseJson(body) : body;
  const stepUp = readStepUpInfo(isRecord(data) ? data.stepUp : undefined);
  const ours = challenges.find((c) => Object.hasOwn(c.params, STEP_UP_CHALLENGE_PARAM));
  if (ours !== undefined || stepUp !== undefined) {
    const parsed = stepgate(ours, stepUp);
    if (parsed.stepUp?.providers !== undefined) parsed.providers = parsed.stepUp.providers;
    return parsed;
  }
  const providers = readProviderStepUps(isRecord(data) ? data.providers : undefined);
  for (const [dialect, error] of HEADER_DIALECTS) {
    const c = challenges.find((x) => x.params.error === error);
    if (c === undefined) continue;
    const parsed = fromChallenge(dialect, c);
    // Our answer when only identity providers perform the step-up: a plain RFC 9470 challenge.
    if (dialect === 'rfc9470' && providers !== undefined) parsed.providers = providers;
    if (dialect === 'entra') {
      const { claims, acrValues } = readEntraClaims(c.params.claims);
      if (claims !== undefined) parsed.claims = claims;
      parsed.acrValues = [...parsed.acrValues, ...acrValues];
    }
    return parsed;
  }
  const auth0 = readAuth0Body(data);
  if (auth0 !== undefined) {
    const parsed: ParsedStepUpChallenge = {
      dialect: 'auth0',
      acrValues: [],
      raw: auth0.raw,
      error: 'mfa_required',
    };
    if (auth0.raw.error_description !== undefined) parsed.errorDescription = auth0.raw.error_description;
    return parsed;
  }
  const clerk = readClerkBody(data);
  if (clerk === undefined) return null;
  const parsed: ParsedStepUpChallenge = {
    dialect: 'clerk',
    acrValues: [],
    raw: clerk.raw,
    error: clerk.raw.reason!,
  };
  if (clerk.maxAge !== undefined) parsed.maxAge = clerk.maxAge;
  return parsed;
}

/**
 * Parses a step-up answer: its `WWW-Authenticate` value (RFC 9110 §11 grammar, several challenges,
 * other schemes around ours) and, optionally, its JSON body (an object, or the text of one).
 * Recognises, in this order: Stepgate (`step_up_challenge` or a `stepUp` body), RFC 9470
 * `insufficient_user_authentication`, Entra `insufficient_claims` (with its base64 `claims`), Okta
 * `insufficient_authentication_context`, Auth0 `mfa_required` (header or body), and Clerk's
 * `reverification-error` body. Never throws.
 *
 * @returns the challenge, or `null` when neither the header nor the body is a step-up challenge.
 * @example
 * const parsed = parseStepUpChallenge(response.headers.get('www-authenticate'), await response.json());
 * if (parsed?.dialect === 'stepgate') await runChallenge(parsed.stepUp ?? parsed.challengeId);
 */
export function parseStepUpChallenge(
  wwwAuthenticate: string | null | undefined,
  body?: unknown,
): ParsedStepUpChallenge | null {
  try {
    return parse(wwwAuthenticate, body);
  } catch {
    // A hostile body (a throwing getter or Proxy) is garbage too.
    return null;
  }
}
