/**
 * The widgets' HTTP client for the service's challenge and enrollment routes (docs/design/README.md "HTTP
 * API"), on plain `fetch` so a page without ky does not load it. Browser calls carry only the
 * challenge id or enrollment ticket in the URL: no credentials, no cookies. Every URL is checked
 * against the page's origin and the caller's `allowedOrigins` before anything is sent: a
 * `challengeUrl` comes from an API answer, and whoever it names would receive the challenge id,
 * the codes and the WebAuthn responses (issue 15).
 */
import type {
  ChallengeView,
  EnrollmentView,
  FactorAddedAnswer,
  Method,
  StartAnswer,
  TotpEnrollmentAnswer,
  VerifyAnswer,
  VerifyRequest,
  WebAuthnJson,
  WebAuthnRegistrationOptionsAnswer,
} from '@stepgate/protocol';
import { isAllowedOrigin } from '@stepgate/sdk-core';
import { WidgetError, type WidgetErrorCode } from './errors.js';

/** Options of every call. */
export interface ClientOptions {
  /** Aborts the request. */
  signal?: AbortSignal | undefined;
  /** The fetch to use. @defaultValue `globalThis.fetch` */
  fetch?: typeof fetch | undefined;
  /**
   * Origins besides the page's own that the URL may be on (`https://auth.example.com`). A URL on
   * any other origin is refused with `origin_not_allowed` and nothing is sent. Malformed entries
   * match nothing.
   * @defaultValue `[]` — only the page's own origin
   */
  allowedOrigins?: readonly string[] | undefined;
}

const CODE = /^[a-z][a-z_]{0,63}$/;
type Check = (v: Record<string, unknown>) => boolean;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `{base}{suffix}` on the path, keeping any query string (`/start` and `/verify` go after `challengeUrl`). */
export function appendPath(base: string, suffix: string): string {
  const url = new URL(base, document.baseURI);
  url.pathname = url.pathname.replace(/\/+$/, '') + suffix;
  return url.href;
}

/**
 * The URL of `GET /v1/challenges/{id}` on a service (or proxy) base URL.
 *
 * @example
 * challengeUrlFor('https://app.example/stepgate', 'chl_abc'); // 'https://app.example/stepgate/v1/challenges/chl_abc'
 */
export function challengeUrlFor(serviceUrl: string, challengeId: string): string {
  return appendPath(serviceUrl, `/v1/challenges/${encodeURIComponent(challengeId)}`);
}

/** The URL of `GET /v1/enrollments/{ticket}` on a service (or proxy) base URL. */
export function enrollmentUrlFor(serviceUrl: string, ticket: string): string {
  return appendPath(serviceUrl, `/v1/enrollments/${encodeURIComponent(ticket)}`);
}

/**
 * The Lit attribute converter of `allowed-origins` (not reflected): origins separated by white
 * space, to a string array.
 */
export const originList = {
  fromAttribute: (value: string | null): string[] => (value ?? '').split(/\s+/).filter(Boolean),
};

/**
 * One JSON call. Throws {@link WidgetError}: `origin_not_allowed` (before any request) for a URL
 * outside the page's origin and `allowedOrigins`, the service's code (with `status` and
 * `attemptsLeft`) for an error answer, `network_error` when it cannot be reached,
 * `invalid_response` for an answer of the wrong shape. An abort rethrows the signal's reason.
 */
async function call<T>(url: string, body: unknown, check: Check, options: ClientOptions): Promise<T> {
  if (!isAllowedOrigin(url, options.allowedOrigins)) throw new WidgetError('origin_not_allowed', url);
  let res: Response;
  try {
    res = await (options.fetch ?? fetch)(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
      signal: options.signal ?? null,
      credentials: 'omit',
      cache: 'no-store',
      // The service and the proxy never redirect; a followed 307/308 would carry the body (a
      // code, an assertion) to wherever an allowed origin points, past the check above.
      redirect: 'error',
    });
  } catch (cause) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw new WidgetError('network_error', 'The service could not be reached', { cause });
  }
  const data: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const error = isObject(data) && isObject(data.error) ? data.error : {};
    // The service's stable code (protocol ERROR_CODES) as it is; anything else is not an answer of ours.
    const code = (
      typeof error.code === 'string' && CODE.test(error.code) ? error.code : 'invalid_response'
    ) as WidgetErrorCode;
    const left = typeof error.attemptsLeft === 'number' ? { attemptsLeft: error.attemptsLeft } : {};
    const message = typeof error.message === 'string' ? error.message : `HTTP ${res.status}`;
    throw new WidgetError(code, message, { status: res.status, ...left });
  }
  if (!isObject(data) || !check(data)) {
    throw new WidgetError('invalid_response', `Unexpected answer from ${url}`, { status: res.status });
  }
  return data as T;
}

const str = (v: unknown) => typeof v === 'string';
const isView: Check = (v) => str(v.id) && Array.isArray(v.methods) && str(v.expiresAt);
const isAnswer: Check = (v) => str(v.token);
const isEnrollment: Check = (v) => Array.isArray(v.methods) && Array.isArray(v.factors);
const isTotp: Check = (v) => str(v.secret) && /^otpauth:\/\//.test(String(v.otpauthUri));
const hasKey: Check = (v) => isObject(v.publicKey);
const hasFactor: Check = (v) => isObject(v.factor);

/**
 * `GET {challengeUrl}`: the challenge view (status, methods with masked destinations, attempts
 * left, expiry, the server's copy of the transaction).
 *
 * @throws {WidgetError} `origin_not_allowed` (nothing sent), the service's code, `network_error`
 *   or `invalid_response`.
 * @example
 * const view = await getChallenge(body.stepUp.challengeUrl, { signal, allowedOrigins: ['https://auth.example.com'] });
 */
export function getChallenge(challengeUrl: string, options: ClientOptions = {}): Promise<ChallengeView> {
  return call(challengeUrl, undefined, isView, options);
}

/**
 * `POST {challengeUrl}/start` `{ method }`: sends a code (`{ sentTo, resendAfter }`), or returns
 * WebAuthn request options (`{ publicKey }`); `{}` for TOTP.
 *
 * @throws {WidgetError} `origin_not_allowed` (nothing sent), the service's code, `network_error`
 *   or `invalid_response`.
 * @example
 * const { sentTo, resendAfter } = (await startMethod(url, 'email_otp')) as CodeSentAnswer;
 */
export function startMethod(
  challengeUrl: string,
  method: Method,
  options: ClientOptions = {},
): Promise<StartAnswer> {
  return call(appendPath(challengeUrl, '/start'), { method }, () => true, options);
}

/**
 * `POST {challengeUrl}/verify`: the upgraded token.
 *
 * @throws {WidgetError} `challenge_failed` with `attemptsLeft` for any failure (S10), or
 *   `origin_not_allowed` (nothing sent), `network_error` / `invalid_response`.
 * @example
 * const { token } = await verifyMethod(url, { method: 'totp', code: '123456' });
 */
export function verifyMethod(
  challengeUrl: string,
  body: VerifyRequest,
  options: ClientOptions = {},
): Promise<VerifyAnswer> {
  return call(appendPath(challengeUrl, '/verify'), body, isAnswer, options);
}

/** `GET {enrollmentUrl}`: who enrolls, what can be added, existing factors. @throws {WidgetError} */
export function getEnrollment(enrollmentUrl: string, options: ClientOptions = {}): Promise<EnrollmentView> {
  return call(enrollmentUrl, undefined, isEnrollment, options);
}

/** `POST {enrollmentUrl}/totp`: a new secret and its `otpauth://` URI. @throws {WidgetError} */
export function startTotpEnrollment(
  enrollmentUrl: string,
  options: ClientOptions = {},
): Promise<TotpEnrollmentAnswer> {
  return call(appendPath(enrollmentUrl, '/totp'), {}, isTotp, options);
}

/** `POST {enrollmentUrl}/totp/confirm` `{ code, label? }`: the factor counts only after this. @throws {WidgetError} */
export function confirmTotpEnrollment(
  enrollmentUrl: string,
  body: { code: string; label?: string },
  options: ClientOptions = {},
): Promise<FactorAddedAnswer> {
  return call(appendPath(enrollmentUrl, '/totp/confirm'), body, hasFactor, options);
}

/** `POST {enrollmentUrl}/webauthn/options`: WebAuthn registration options. @throws {WidgetError} */
export function webAuthnRegistrationOptions(
  enrollmentUrl: string,
  options: ClientOptions = {},
): Promise<WebAuthnRegistrationOptionsAnswer> {
  return call(appendPath(enrollmentUrl, '/webauthn/options'), {}, hasKey, options);
}

/** `POST {enrollmentUrl}/webauthn/verify` `{ response, label? }`. @throws {WidgetError} */
export function verifyWebAuthnRegistration(
  enrollmentUrl: string,
  body: { response: WebAuthnJson; label?: string },
  options: ClientOptions = {},
): Promise<FactorAddedAnswer> {
  return call(appendPath(enrollmentUrl, '/webauthn/verify'), body, hasFactor, options);
}
