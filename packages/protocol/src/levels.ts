/**
 * Authentication assurance levels, `acr` values and RFC 8176 `amr` values.
 *
 * A level describes the whole authentication: the app's session (at least `aal1`) plus the
 * method just verified (docs/design/wire-contract.md).
 */

/** The three levels, weakest first (NIST SP 800-63B authenticator assurance levels). */
export const LEVELS = ['aal1', 'aal2', 'aal3'] as const;

/** An authenticator assurance level: `aal1 < aal2 < aal3`. */
export type Level = (typeof LEVELS)[number];

/**
 * Tells whether a value is one of the three level names.
 *
 * @example
 * isLevel('aal2'); // true
 * isLevel('AAL2'); // false
 */
export function isLevel(value: unknown): value is Level {
  return value === 'aal1' || value === 'aal2' || value === 'aal3';
}

/**
 * Compares two levels: negative when `a` is weaker than `b`, zero when equal, positive when stronger.
 *
 * @example
 * compareLevels('aal1', 'aal3') < 0; // true
 */
export function compareLevels(a: Level, b: Level): number {
  return LEVELS.indexOf(a) - LEVELS.indexOf(b);
}

/**
 * Tells whether `have` is at or above `need`.
 *
 * @example
 * levelAtLeast('aal3', 'aal2'); // true
 */
export function levelAtLeast(have: Level, need: Level): boolean {
  return compareLevels(have, need) >= 0;
}

/**
 * The stronger of two levels.
 *
 * @example
 * maxLevel('aal2', 'aal1'); // 'aal2'
 */
export function maxLevel(a: Level, b: Level): Level {
  return compareLevels(a, b) >= 0 ? a : b;
}

/** The `acr` value that stands for each level on the wire. */
export type AcrValues = Readonly<Record<Level, string>>;

/**
 * Default `acr` values. Operators may configure others so they match their identity provider.
 *
 * @defaultValue `{ aal1: 'urn:stepgate:aal1', aal2: 'urn:stepgate:aal2', aal3: 'urn:stepgate:aal3' }`
 */
export const DEFAULT_ACR_VALUES: AcrValues = Object.freeze({
  aal1: 'urn:stepgate:aal1',
  aal2: 'urn:stepgate:aal2',
  aal3: 'urn:stepgate:aal3',
});

/**
 * Maps an `acr` value (configured value or bare level name) to its level; `undefined` when unknown.
 *
 * @example
 * levelFromAcr('urn:stepgate:aal2'); // 'aal2'
 * levelFromAcr('aal3');              // 'aal3'
 * levelFromAcr('urn:other');         // undefined
 */
export function levelFromAcr(
  acr: string | undefined,
  acrValues: AcrValues = DEFAULT_ACR_VALUES,
): Level | undefined {
  if (acr === undefined) return undefined;
  if (isLevel(acr)) return acr;
  for (const level of LEVELS) if (acrValues[level] === acr) return level;
  return undefined;
}

/**
 * The `acr` value for a level.
 *
 * @example
 * acrFromLevel('aal3'); // 'urn:stepgate:aal3'
 */
export function acrFromLevel(level: Level, acrValues: AcrValues = DEFAULT_ACR_VALUES): string {
  return acrValues[level];
}

/** The step-up methods Stepgate runs. */
export const METHODS = ['email_otp', 'sms_otp', 'totp', 'webauthn', 'biometric'] as const;

/** A step-up method. */
export type Method = (typeof METHODS)[number];

/**
 * Tells whether a value names a step-up method.
 *
 * @example
 * isMethod('totp'); // true
 * isMethod('sms');  // false (that is an `amr` value)
 */
export function isMethod(value: unknown): value is Method {
  return typeof value === 'string' && (METHODS as readonly string[]).includes(value);
}

/**
 * RFC 8176 Authentication Method Reference values that Stepgate emits. Stepgate never emits
 * `fpt` or `face`: it cannot know which gesture unlocked a key (docs/design/flows.md "Methods and what they prove").
 */
export const AMR_VALUES = ['otp', 'sms', 'tel', 'mfa', 'hwk', 'swk', 'user', 'pin', 'pop', 'mca'] as const;

/** An RFC 8176 `amr` value. */
export type Amr = (typeof AMR_VALUES)[number];
