import type { ErrorCode } from '@stepgate/protocol';

/**
 * Codes of {@link WidgetError}: the service's error codes (from its `{ error: { code } }` body)
 * plus what can go wrong in the browser. docs/widget.md documents each one.
 */
export const WIDGET_ERROR_CODES = [
  'challenge_failed',
  'network_error',
  'invalid_response',
  'expired',
  'locked',
  'webauthn_cancelled',
  'webauthn_unavailable',
  'native_failed',
  'origin_not_allowed',
] as const;

/** A code of {@link WidgetError}. */
export type WidgetErrorCode = (typeof WIDGET_ERROR_CODES)[number] | ErrorCode;

/**
 * What the widgets report in `step-up-error` events: a stable `code`, the HTTP `status` when the
 * service answered, `attemptsLeft` with `challenge_failed`, the original error in `cause`.
 *
 * @example
 * el.addEventListener('step-up-error', (e) => {
 *   if (e.error.code === 'locked') location.reload();
 * });
 */
export class WidgetError extends Error {
  override readonly name = 'WidgetError';
  readonly code: WidgetErrorCode;
  readonly status: number | undefined;
  readonly attemptsLeft: number | undefined;

  constructor(
    code: WidgetErrorCode,
    message: string,
    options: { cause?: unknown; status?: number; attemptsLeft?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.attemptsLeft = options.attemptsLeft;
  }
}
