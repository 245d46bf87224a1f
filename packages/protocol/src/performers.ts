/**
 * Who performs a step-up: Stepgate's own challenges, or one of the operator's OpenID Connect
 * providers, which the client sends the user back to (RFC 9470 §4).
 */

/** A step-up performer: `stepgate` (Stepgate's challenges) or `idp:<id>` (a configured provider). */
export type Performer = 'stepgate' | `idp:${string}`;

/** The performer of Stepgate's own challenges, the default of every policy. */
export const STEPGATE_PERFORMER = 'stepgate' as const;

/** An identity provider's id: letters, digits, `_` and `-`, 1 to 64 characters. */
export const IDP_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Tells whether a value names a performer: `stepgate` or `idp:<id>` with a well-formed id.
 *
 * @example
 * isPerformer('idp:corp'); // true
 * isPerformer('any');      // false (`any` is a policy keyword, not a performer)
 */
export function isPerformer(value: unknown): value is Performer {
  if (value === STEPGATE_PERFORMER) return true;
  return typeof value === 'string' && value.startsWith('idp:') && IDP_ID_PATTERN.test(value.slice(4));
}

/**
 * The provider id of an `idp:<id>` performer; `undefined` for `stepgate` or anything else.
 *
 * @example
 * idpIdOf('idp:corp'); // 'corp'
 */
export function idpIdOf(performer: string): string | undefined {
  return isPerformer(performer) && performer !== STEPGATE_PERFORMER ? performer.slice(4) : undefined;
}
