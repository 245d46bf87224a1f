/**
 * The native biometric path (docs/design/flows.md "Methods and what they prove"): the page asks the app to sign the
 * challenge bytes with its enrolled device key; the service verifies the signature. A bare
 * "success" answer is refused: only `{ keyId, signature }` resolves.
 */
import type { DeviceKeyAssertion } from '@stepgate/protocol';
import { StepUpCancelledError, StepUpError, type StepUpErrorCode } from '../errors.js';
import { detectWebview } from './detect-webview.js';
import { deliverNativeAnswer, onNativeAnswer } from './native-answers.js';
import { sendToNative } from './post-message.js';

/** Options of {@link signWithNativeDeviceKey}. */
export interface NativeSignOptions {
  /** Stops waiting (the native prompt may stay open; native code should dismiss it on its own timer). */
  signal?: AbortSignal | undefined;
  /**
   * How long to wait for the native answer, in milliseconds.
   * @defaultValue 60000
   */
  timeoutMs?: number | undefined;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** A reply Promise answers one request: its `id` may be left out. */
function withId(reply: unknown, id: string): unknown {
  let value = reply;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return typeof value === 'object' && value !== null ? { ...value, id } : undefined;
}
const MAX_FIELD = 2048;

function isToken(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_FIELD;
}

/**
 * Asks the native side to sign `challenge` (base64url bytes from the `start` answer) with the
 * device key enrolled as a factor, and resolves with the assertion to send as
 * `{ method: 'biometric', deviceKey }` to `/verify`.
 *
 * @throws StepUpError `unsupported` outside a webview; `timeout` when no answer comes within
 *   `timeoutMs`; `aborted` when `signal` fires; `cancelled` ({@link StepUpCancelledError}) when the
 *   user declines; `failed` for a native error or an answer without a base64url signature and key id.
 * @example
 * const deviceKey = await signWithNativeDeviceKey({ challengeId, challenge: start.publicKey.challenge });
 * await fetch(`${challengeUrl}/verify`, { method: 'POST', body: JSON.stringify({ method: 'biometric', deviceKey }) });
 */
export function signWithNativeDeviceKey(
  request: { challengeId: string; challenge: string },
  options: NativeSignOptions = {},
): Promise<DeviceKeyAssertion> {
  const { challengeId, challenge } = request;
  const { signal, timeoutMs = 60_000 } = options;
  const error = (code: StepUpErrorCode, message?: string, cause?: unknown) =>
    code === 'cancelled'
      ? new StepUpCancelledError(message, { challengeId })
      : new StepUpError(code, message, { challengeId, cause });
  if (!isToken(challenge) || !BASE64URL.test(challenge)) {
    return Promise.reject(error('failed', 'The challenge must be base64url.'));
  }
  if (detectWebview() === undefined)
    return Promise.reject(error('unsupported', 'No native bridge in this page.'));
  if (signal?.aborted) return Promise.reject(error('aborted', undefined, signal.reason));
  const id = crypto.randomUUID();
  return new Promise<DeviceKeyAssertion>((resolve, reject) => {
    const finish = (failure: StepUpError | undefined, value?: DeviceKeyAssertion) => {
      stop();
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (failure) reject(failure);
      else resolve(value!);
    };
    const onAbort = () => finish(error('aborted', undefined, signal?.reason));
    const timer = setTimeout(() => finish(error('timeout')), timeoutMs);
    const stop = onNativeAnswer(id, (answer) => {
      const { type, keyId, signature, code, message } = answer;
      if (type === 'sign_result' && isToken(keyId) && isToken(signature) && BASE64URL.test(signature)) {
        finish(undefined, { keyId, signature });
      } else if (type === 'sign_error') {
        const text = typeof message === 'string' ? message.slice(0, 500) : undefined;
        finish(
          error(code === 'cancelled' ? 'cancelled' : code === 'unavailable' ? 'unsupported' : 'failed', text),
        );
      } else {
        // A bare success flag, or anything else without a key id and a signature, proves nothing.
        finish(error('failed', 'The native answer has no key id and signature.'));
      }
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    const sent = sendToNative({ type: 'sign_request', id, challengeId, challenge });
    if (!sent.posted) {
      finish(error('unsupported', 'The native bridge did not take the message.'));
    } else if (sent.result instanceof Promise) {
      // iOS WKScriptMessageHandlerWithReply answers through the postMessage Promise.
      sent.result.then(
        (reply: unknown) => deliverNativeAnswer(withId(reply, id)),
        (cause: unknown) => finish(error('failed', 'The native side rejected the request.', cause)),
      );
    }
  });
}
