import { isFieldType } from './field-types.js';
import type { InvalidFieldDetails } from './types.js';

/**
 * Error codes shared by every Stepgate package, and the error body every HTTP answer uses.
 * The table in docs/errors.md documents each code; a test fails when the two disagree.
 */

/**
 * Every error code, with the HTTP status it is usually answered with. docs/errors.md documents
 * each one; errors.test.ts fails when the two disagree.
 *
 * @example
 * ERROR_CODES.rate_limited; // 429
 */
export const ERROR_CODES = {
  /** The request needs a stronger or fresher authentication first (RFC 9470). */
  insufficient_user_authentication: 401,
  /** A policy denies the request. */
  access_denied: 403,
  /** The decision service could not be reached or answered something unusable; the request did not run. */
  decision_unavailable: 503,
  /** A challenge verification failed: wrong, expired, used, unknown or locked all look the same (S10). */
  challenge_failed: 400,
  /** The body, a header or a parameter is malformed, oversized or of the wrong type. */
  invalid_request: 400,
  /** The API key is missing or wrong. */
  unauthorized: 401,
  /** The API key is valid but not allowed to do this (for example, not an admin key). */
  forbidden: 403,
  /** No such resource. */
  not_found: 404,
  /** The method is not allowed on this path. */
  method_not_allowed: 405,
  /** The request conflicts with the current state (for example, an `Idempotency-Key` reused with another body). */
  conflict: 409,
  /** The body is larger than the service accepts. */
  payload_too_large: 413,
  /** The body is not JSON. */
  unsupported_media_type: 415,
  /** Too many requests from this caller, user or IP; retry later. */
  rate_limited: 429,
  /** The service failed in a way that is not the caller's fault. */
  internal_error: 500,
  /** The service is not ready (for example, the store or the audit log cannot be written). */
  service_unavailable: 503,
} as const;

/** A stable error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * Tells whether a value is a known error code.
 *
 * @example
 * isErrorCode('challenge_failed'); // true
 * isErrorCode('toString');         // false
 */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/**
 * The HTTP status usually answered with a code.
 *
 * @example
 * statusForErrorCode('decision_unavailable'); // 503
 */
export function statusForErrorCode(code: ErrorCode): number {
  return ERROR_CODES[code];
}

/** The error body: `{ "error": { "code", "message" } }`, with optional extra fields. */
export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    /** Attempts left on a challenge, with `challenge_failed`. */
    attemptsLeft?: number;
    /** Where in the request the problem is (a JSON pointer), with `invalid_request`. */
    path?: string;
    /** Seconds to wait, with `rate_limited`. */
    retryAfter?: number;
    /** With `invalid_request` for a request field of the wrong type: which field, which policy reads it. */
    details?: InvalidFieldDetails;
  };
}

/**
 * Base class of errors thrown by Stepgate packages: a stable `code`, context in fields and the
 * original error in `cause`.
 *
 * @example
 * throw new StepgateError('invalid_request', 'amount must be a number', { details: { path: '/amount' } });
 */
export class StepgateError extends Error {
  override readonly name: string = 'StepgateError';
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  /** The HTTP status usually answered with this error's code. */
  get status(): number {
    return ERROR_CODES[this.code];
  }

  /**
   * The error body for this error. `attemptsLeft`, `path` and `retryAfter` are copied from
   * `details` when present there with the right type, and `details.invalidField` (an
   * {@link InvalidFieldDetails}) becomes `error.details`, member by member; nothing else from
   * `details` is exposed.
   *
   * @example
   * new StepgateError('invalid_request', 'Bad amount', { details: { path: '/amount' } }).toBody();
   * // { error: { code: 'invalid_request', message: 'Bad amount', path: '/amount' } }
   */
  toBody(): ErrorBody {
    const body: ErrorBody = { error: { code: this.code, message: this.message } };
    const { attemptsLeft, path, retryAfter } = this.details ?? {};
    if (typeof attemptsLeft === 'number') body.error.attemptsLeft = attemptsLeft;
    if (typeof path === 'string') body.error.path = path;
    if (typeof retryAfter === 'number') body.error.retryAfter = retryAfter;
    const invalid = invalidFieldOf(this.details?.invalidField);
    if (invalid !== undefined) body.error.details = invalid;
    return body;
  }
}

/** A copy of the members of {@link InvalidFieldDetails}, or `undefined` when `value` is not one. */
function invalidFieldOf(value: unknown): InvalidFieldDetails | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.field !== 'string' || typeof v.actual !== 'string' || typeof v.policyVersion !== 'string') {
    return undefined;
  }
  if (!isFieldType(v.expected)) return undefined;
  return {
    field: v.field,
    ...(typeof v.policyId === 'string' ? { policyId: v.policyId } : {}),
    expected: v.expected,
    actual: v.actual,
    policyVersion: v.policyVersion,
  };
}
