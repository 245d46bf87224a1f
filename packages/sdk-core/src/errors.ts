/**
 * The one error class of sdk-core and its stable codes. docs: the table in README.md
 * ("Errors") lists the same codes; `errors.test.ts` fails when the two disagree.
 */

/**
 * Every code a {@link StepUpError} can carry, with what it means.
 *
 * - `cancelled`: the user closed the step-up dialog (or declined the native prompt).
 * - `aborted`: the caller's `AbortSignal` fired while the step-up was pending.
 * - `no_handler`: a Stepgate step-up answer arrived but no handler is registered.
 * - `failed`: the handler or the native side failed, or answered something unusable.
 * - `unsupported`: the environment cannot do it (for example, no webview bridge).
 * - `timeout`: the native side did not answer in time.
 * - `origin_not_allowed`: a step-up answer's `challengeUrl` is on an origin that is neither the
 *   page's own nor in `allowedOrigins`; the handler did not run and nothing was sent there.
 */
export const STEP_UP_ERROR_CODES = {
  cancelled: 'The user cancelled the step-up.',
  aborted: 'The request was aborted while the step-up was pending.',
  no_handler: 'A step-up was required but no step-up handler is registered.',
  failed: 'The step-up failed.',
  unsupported: 'This environment does not support the operation.',
  timeout: 'The native side did not answer in time.',
  origin_not_allowed: 'The challenge URL origin is not allowed.',
} as const;

/** A stable {@link StepUpError} code. */
export type StepUpErrorCode = keyof typeof STEP_UP_ERROR_CODES;

/**
 * The error sdk-core rejects with. `code` is stable; the original error is in `cause`.
 *
 * @example
 * try {
 *   await stepUpFetch('/api/transfer', { method: 'POST', body });
 * } catch (error) {
 *   if (error instanceof StepUpError && error.code === 'cancelled') showToast('Transfer not sent');
 * }
 */
export class StepUpError extends Error {
  override readonly name: string = 'StepUpError';
  /** The stable code; see {@link STEP_UP_ERROR_CODES}. */
  readonly code: StepUpErrorCode;
  /** The challenge concerned, when known. */
  readonly challengeId: string | undefined;

  /**
   * @param code - A stable code.
   * @param message - Defaults to the code's description.
   * @param options - `cause` (the original error) and `challengeId`.
   */
  constructor(
    code: StepUpErrorCode,
    message: string = STEP_UP_ERROR_CODES[code],
    options: { cause?: unknown; challengeId?: string | undefined } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.challengeId = options.challengeId;
  }
}

/**
 * What a step-up handler (the widget) rejects with when the user cancels; the flow passes it
 * on to the caller of the original request unchanged.
 *
 * @example
 * dialog.addEventListener('step-up-cancel', () => reject(new StepUpCancelledError()));
 */
export class StepUpCancelledError extends StepUpError {
  override readonly name: string = 'StepUpCancelledError';

  /**
   * @param message - Defaults to "The user cancelled the step-up."
   * @param options - `cause` and `challengeId`.
   */
  constructor(
    message: string = STEP_UP_ERROR_CODES.cancelled,
    options: { cause?: unknown; challengeId?: string | undefined } = {},
  ) {
    super('cancelled', message, options);
  }
}

/**
 * Tells whether a value is a {@link StepUpError}, also one from another copy of this package
 * (checked by name and code).
 *
 * @example
 * if (isStepUpError(error) && error.code === 'aborted') return;
 */
export function isStepUpError(value: unknown): value is StepUpError {
  if (value instanceof StepUpError) return true;
  if (!(value instanceof Error) || !value.name.startsWith('StepUp')) return false;
  const code: unknown = (value as Error & { code?: unknown }).code;
  return typeof code === 'string' && Object.hasOwn(STEP_UP_ERROR_CODES, code);
}
