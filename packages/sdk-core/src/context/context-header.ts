/** The `Step-Up-Context` header value: the protocol codec, kept within 4 KB. */
import { encodeStepUpContext, type StepUpContext } from '@stepgate/protocol';
import { type ContextOptions, collectContext, UNKNOWN_FINGERPRINT } from './collect-context.js';

/** Signals dropped first, longest and least useful first, when a header would pass 4 KB. */
const DROP_ORDER = ['webgl', 'lang', 'platform', 'tz', 'screen'] as const;

function tryEncode(context: StepUpContext): string | undefined {
  try {
    return encodeStepUpContext(context);
  } catch {
    return undefined; // Over 4 KB or a member the codec refuses.
  }
}

/**
 * Encodes a context with the protocol codec. If it would be longer than 4096 bytes (a very
 * long device token or signal), long signals are dropped, then all signals; if the codec still
 * refuses it, the header says "unknown device" with the device id alone.
 *
 * @example
 * headers.set('Step-Up-Context', encodeContextHeader(await collectContext()));
 */
export function encodeContextHeader(context: StepUpContext): string {
  const full = tryEncode(context);
  if (full !== undefined) return full;
  const slim: StepUpContext = { ...context, signals: { ...context.signals } };
  for (const key of DROP_ORDER) {
    delete slim.signals[key];
    const value = tryEncode(slim);
    if (value !== undefined) return value;
  }
  slim.signals = {};
  return (
    tryEncode(slim) ??
    encodeStepUpContext({
      v: 1,
      deviceId: context.deviceId.slice(0, 128),
      fingerprint: UNKNOWN_FINGERPRINT,
      signals: {},
    })
  );
}

/**
 * Collects the context (within the budget) and encodes it as the `Step-Up-Context` header
 * value: base64url of UTF-8 JSON, at most 4096 bytes.
 *
 * @example
 * const res = await fetch('/api/transfer', { method: 'POST', headers: { 'Step-Up-Context': await getContextHeader() } });
 */
export async function getContextHeader(options: ContextOptions = {}): Promise<string> {
  return encodeContextHeader(await collectContext(options));
}
