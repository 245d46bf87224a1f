/**
 * Methods, the levels they reach, and method sets as bit masks (bit i = METHODS[i]).
 */
import {
  type AcrValues,
  DEFAULT_ACR_VALUES,
  LEVELS,
  type Level,
  levelFromAcr,
  METHODS,
  type Method,
} from '@stepgate/protocol';

/**
 * NIST SP 800-63B defaults: the level each method proves on its own (S34: a token minted after it
 * claims this level, whatever the session's level). An emailed
 * code is a fresh check, not a second factor (S3); WebAuthn and biometric reach aal3 only for a
 * device-bound credential verified with UV (the factor's `maxLevel` says so).
 */
export const DEFAULT_METHOD_LEVELS: Readonly<Record<Method, Level>> = Object.freeze({
  email_otp: 'aal1',
  sms_otp: 'aal2',
  totp: 'aal2',
  webauthn: 'aal2',
  biometric: 'aal2',
});

/** Preference order of methods in a requirement: phishing-resistant first. */
export const METHOD_PREFERENCE: readonly Method[] = Object.freeze([
  'webauthn',
  'biometric',
  'totp',
  'sms_otp',
  'email_otp',
]);

/** Rank of a level: aal1 → 0, aal2 → 1, aal3 → 2. */
export const levelRank = (level: Level): number => LEVELS.indexOf(level);

/** The bit of a method. */
export const methodBit = (m: Method): number => 1 << METHODS.indexOf(m);

const BY_MASK: ReadonlyArray<readonly Method[]> = Array.from({ length: 32 }, (_, mask) =>
  Object.freeze(METHOD_PREFERENCE.filter((m) => mask & methodBit(m))),
);

/**
 * Methods of a mask in preference order: one frozen array per mask, shared by every verdict
 * (no allocation on the hot path). Typed as `Method[]` for the wire types; mutating it throws.
 */
export function methodList(mask: number): Method[] {
  return BY_MASK[mask & 31] as Method[];
}

/** Index of a method in METHODS (−1 when unknown), without a string search of the list. */
export function methodIndex(m: unknown): number {
  switch (m) {
    case 'totp':
      return 2;
    case 'webauthn':
      return 3;
    case 'biometric':
      return 4;
    case 'sms_otp':
      return 1;
    case 'email_otp':
      return 0;
    default:
      return -1;
  }
}

/** A method list as a mask; unknown entries and anything but an array count for nothing. */
export function methodMask(list: unknown): number {
  if (!Array.isArray(list)) return 0;
  let mask = 0;
  for (let k = 0; k < list.length; k++) {
    const i = methodIndex(list[k]);
    if (i >= 0) mask |= 1 << i;
  }
  return mask;
}

/**
 * Whether a list (`subject.methods`) names a method of `mask`. Allocation-free: it runs on the
 * hot path for every requirement that restricts methods.
 */
export function namesMethodOf(list: unknown, mask: number): boolean {
  if (!Array.isArray(list)) return false;
  for (let k = 0; k < list.length; k++) {
    const i = methodIndex(list[k]);
    if (i >= 0 && mask & (1 << i)) return true;
  }
  return false;
}

/** Methods of a mask in preference order (a fresh array the caller may keep). */
export function methodsOf(mask: number): Method[] {
  return (BY_MASK[mask & 31] as readonly Method[]).slice();
}

/**
 * The highest level a method can ever reach under a document: its document level, raised to aal3
 * for WebAuthn and biometric when the document gives them aal2 (device-bound with UV reaches aal3).
 *
 * @example
 * methodCap('webauthn', 'aal2'); // 'aal3'
 * methodCap('totp', 'aal2');     // 'aal2'
 */
export function methodCap(method: Method, docLevel: Level): Level {
  return (method === 'webauthn' || method === 'biometric') && docLevel === 'aal2' ? 'aal3' : docLevel;
}

/**
 * The level of a session from `subject.acr`: a configured value or a bare level name. Absent or
 * unknown values count as aal1 (never more than the backend proved).
 */
export function sessionLevel(acr: unknown, acrValues: AcrValues = DEFAULT_ACR_VALUES): Level {
  return (typeof acr === 'string' ? levelFromAcr(acr, acrValues) : undefined) ?? 'aal1';
}
