import type { InvalidFieldDetails } from '@stepgate/protocol';

/**
 * The one error class of @stepgate/node-client. Every code is listed in {@link CLIENT_ERROR_CODES}
 * and documented in the README's error table (a test fails when the two disagree).
 */

/**
 * Every error code this package throws, with the HTTP status a guard answers with.
 *
 * - `invalid_options`: `createStepgate()` or a guard factory got options it cannot use.
 * - `invalid_argument`: a method got an argument it cannot send (empty user id, unknown label, …).
 * - `decision_unavailable`: a decision could not be obtained — timeout, open breaker, network error,
 *   5xx, 4xx, a malformed answer or an unknown decision value. Guards answer 503 and the request
 *   does not run (docs/security-model.md S20, S21).
 * - `service_unavailable`: any other call failed for the same reasons (timeout, breaker, network, 5xx, malformed).
 * - `service_rejected`: the service answered a non-decision call with a 4xx; `serviceCode` and `status` say why.
 * - `invalid_request`: the service refused a decision request as invalid — a request field of another
 *   type than the policies give it (`"900 EUR"` where an amount is compared); `details` names the field
 *   and the policy. Guards answer 400 (the route does not run): the request is the app's mistake, not
 *   an outage.
 *
 * @example
 * Object.keys(CLIENT_ERROR_CODES); // ['invalid_options', 'invalid_argument', 'decision_unavailable', …]
 */
export const CLIENT_ERROR_CODES = {
  invalid_options: 500,
  invalid_argument: 400,
  decision_unavailable: 503,
  service_unavailable: 503,
  service_rejected: 502,
  invalid_request: 400,
} as const;

/** A stable error code of this package. */
export type ClientErrorCode = keyof typeof CLIENT_ERROR_CODES;

/**
 * Thrown by every function of this package. `code` is stable; the original error is in `cause`.
 *
 * @example
 * try {
 *   await stepgate.decide(input);
 * } catch (error) {
 *   if (error instanceof StepgateClientError && error.code === 'decision_unavailable') {
 *     // fail closed: do not run the action
 *   }
 * }
 */
export class StepgateClientError extends Error {
  override readonly name = 'StepgateClientError';
  /** The stable error code. */
  readonly code: ClientErrorCode;
  /** The HTTP status of the service's answer, when there was one. */
  readonly status: number | undefined;
  /** The service's own error code (`error.code` of its body), when it sent one. */
  readonly serviceCode: string | undefined;
  /** With `invalid_request` for a field of the wrong type: which field, which policy, what it expected. */
  readonly details: InvalidFieldDetails | undefined;

  constructor(
    code: ClientErrorCode,
    message: string,
    options: { cause?: unknown; status?: number; serviceCode?: string; details?: InvalidFieldDetails } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.serviceCode = options.serviceCode;
    this.details = options.details;
  }
}

/**
 * Tells whether a value is a {@link StepgateClientError}, optionally with a given code.
 *
 * @example
 * if (isStepgateClientError(error, 'decision_unavailable')) return res.status(503).end();
 */
export function isStepgateClientError(error: unknown, code?: ClientErrorCode): error is StepgateClientError {
  return error instanceof StepgateClientError && (code === undefined || error.code === code);
}
