/** The `Step-Up-Context` header value: the protocol codec, kept within 4 KB. */
import type { StepUpContext } from '@stepgate/protocol';
import { encodeStepUpContext, MAX_CONTEXT_HEADER_BYTES } from '../protocol-shim.js';
import { type ContextOptions, collectContext } from './collect-context.js';

/** Signals dropped first, longest and least useful first, when a header would pass 4 KB. */
const DROP_ORDER = ['webgl', 'lang', 'platform', 'tz', 'screen'] as const;

/**
 * Encodes a context for the header. If it would be longer than 4096 bytes (a very long
 * device token or signal), long signals are dropped, then all signals.
 *
 * @example
 * headers.set('Step-Up-Context', encodeContextHeader(await collectContext()));
 */
export function encodeContextHeader(context: StepUpContext): string {
  let value = encodeStepUpContext(context);
  if (value.length <= MAX_CONTEXT_HEADER_BYTES) return value;
  const slim: StepUpContext = { ...context, signals: { ...context.signals } };
  for (const key of DROP_ORDER) {
    delete slim.signals[key];
    value = encodeStepUpContext(slim);
    if (value.length <= MAX_CONTEXT_HEADER_BYTES) return value;
  }
  slim.signals = {};
  return encodeStepUpContext(slim);
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
