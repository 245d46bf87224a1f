/**
 * The `Step-Up-Context` header codec (docs/design/wire-contract.md): base64url (no padding) of the
 * UTF-8 JSON of a {@link StepUpContext}, version 1, at most {@link MAX_CONTEXT_HEADER_BYTES}.
 *
 * The header is client-supplied (S25): decoding never throws, and anything malformed, oversized,
 * of another version or of the wrong shape decodes to `null`, which the service treats as an
 * unknown device. Unknown members are dropped, so a newer client does not break an older service.
 */
import { decodeBase64Url, encodeBase64Url } from './base64url.js';
import { StepgateError } from './errors.js';
import { decodeUtf8, isNumberIn, isRecord, isShortString, parseJson } from './guards.js';
import type { DeviceSignals, StepUpContext } from './types.js';

/** The largest `Step-Up-Context` header value accepted or produced, in bytes (4 KB). */
export const MAX_CONTEXT_HEADER_BYTES = 4096;

/** Length limits of the context members; the JSON Schema uses the same numbers. */
export const CONTEXT_LIMITS = {
  deviceId: 128,
  fingerprint: 128,
  deviceToken: 2048,
  /** Every string signal (`tz`, `lang`, `screen`, `platform`, `webgl`, `webview`). */
  signalString: 256,
  /** Every number signal (`cores`, `memory`, `touch`, `colorDepth`) is within `[0, signalNumber]`. */
  signalNumber: 65536,
} as const;

const STRING_SIGNALS = ['tz', 'lang', 'screen', 'platform', 'webgl', 'webview'] as const;
const NUMBER_SIGNALS = ['cores', 'memory', 'touch', 'colorDepth'] as const;
const BOOLEAN_SIGNALS = ['webdriver', 'webauthn', 'platformAuthenticator'] as const;

/**
 * The signal names a context may carry; others are dropped by the decoder.
 *
 * @example
 * SIGNAL_NAMES.includes('webdriver'); // true
 */
export const SIGNAL_NAMES = [...STRING_SIGNALS, ...NUMBER_SIGNALS, ...BOOLEAN_SIGNALS] as const;

function readSignals(value: unknown): DeviceSignals | null {
  if (!isRecord(value)) return null;
  const signals: Record<string, string | number | boolean> = {};
  for (const name of STRING_SIGNALS) {
    const v = value[name];
    if (v === undefined) continue;
    if (!isShortString(v, CONTEXT_LIMITS.signalString)) return null;
    signals[name] = v;
  }
  for (const name of NUMBER_SIGNALS) {
    const v = value[name];
    if (v === undefined) continue;
    if (!isNumberIn(v, 0, CONTEXT_LIMITS.signalNumber)) return null;
    signals[name] = v;
  }
  for (const name of BOOLEAN_SIGNALS) {
    const v = value[name];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') return null;
    signals[name] = v;
  }
  return signals as DeviceSignals;
}

/**
 * Checks a value against the {@link StepUpContext} shape and returns a copy holding only the
 * known members; `null` when the shape is wrong. Never throws.
 *
 * @example
 * readStepUpContext({ v: 1, deviceId: 'd', fingerprint: 'f', signals: {}, extra: 1 });
 * // { v: 1, deviceId: 'd', fingerprint: 'f', signals: {} }
 */
export function readStepUpContext(value: unknown): StepUpContext | null {
  if (!isRecord(value) || value.v !== 1) return null;
  const { deviceId, fingerprint, deviceToken } = value;
  if (!isShortString(deviceId, CONTEXT_LIMITS.deviceId)) return null;
  if (!isShortString(fingerprint, CONTEXT_LIMITS.fingerprint)) return null;
  if (deviceToken !== undefined && !isShortString(deviceToken, CONTEXT_LIMITS.deviceToken)) return null;
  const signals = readSignals(value.signals);
  if (signals === null) return null;
  const context: StepUpContext = { v: 1, deviceId, fingerprint, signals };
  if (deviceToken !== undefined) context.deviceToken = deviceToken;
  return context;
}

/**
 * Encodes a context as a `Step-Up-Context` header value. Unknown members are left out.
 *
 * @throws {@link StepgateError} `invalid_request` when the context does not have the
 * {@link StepUpContext} shape, or when the header would exceed {@link MAX_CONTEXT_HEADER_BYTES}.
 * @example
 * const header = encodeStepUpContext({ v: 1, deviceId: 'dev_1', fingerprint: 'fp', signals: { tz: 'UTC' } });
 * decodeStepUpContext(header)?.signals.tz; // 'UTC'
 */
export function encodeStepUpContext(ctx: StepUpContext): string {
  const context = readStepUpContext(ctx);
  if (context === null) {
    throw new StepgateError('invalid_request', 'The step-up context does not have the expected shape');
  }
  const header = encodeBase64Url(new TextEncoder().encode(JSON.stringify(context)));
  if (header.length > MAX_CONTEXT_HEADER_BYTES) {
    throw new StepgateError(
      'invalid_request',
      `The Step-Up-Context header would be ${header.length} bytes, over ${MAX_CONTEXT_HEADER_BYTES}`,
      { details: { bytes: header.length } },
    );
  }
  return header;
}

/**
 * Decodes a `Step-Up-Context` header value. Never throws.
 *
 * @returns the context with only its known members, or `null` when the header is absent, longer
 * than {@link MAX_CONTEXT_HEADER_BYTES}, not unpadded base64url, not UTF-8 JSON, not version 1, or
 * not of the {@link StepUpContext} shape.
 * @example
 * decodeStepUpContext(request.headers.get('step-up-context')) ?? undefined;
 * decodeStepUpContext('garbage!'); // null
 */
export function decodeStepUpContext(header: string | null | undefined): StepUpContext | null {
  if (typeof header !== 'string' || header.length === 0 || header.length > MAX_CONTEXT_HEADER_BYTES) {
    return null;
  }
  const bytes = decodeBase64Url(header.trim(), true);
  if (bytes === null) return null;
  const text = decodeUtf8(bytes);
  if (text === null) return null;
  return readStepUpContext(parseJson(text));
}
