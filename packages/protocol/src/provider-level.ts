/**
 * What an identity provider's token proves, by the operator's map (docs/idp.md): the highest level
 * the map gives its `acr`, its `acrs` (Entra ID authentication contexts) or one of its `amr`
 * values (RFC 8176). Values the map does not name prove nothing — never more than the map says (S2).
 */
import { type Level, levelAtLeast, type Method } from './levels.js';

/** Provider value → the level it proves. */
export type ProviderLevelMap = Readonly<Record<string, Level>>;

/** Provider `amr` value → the Stepgate method it counts as (`idps[].methods`). */
export type ProviderMethodMap = Readonly<Record<string, Method>>;

/**
 * The level a provider token's claims prove under `acrMap` and `amrMap`; `undefined` when no
 * claim is mapped. The claims must already be verified.
 *
 * @example
 * providerLevel({ acr: 'urn:okta:loa:2fa:any', amr: ['pwd', 'otp'] }, { 'urn:okta:loa:2fa:any': 'aal2' }, {}); // 'aal2'
 * providerLevel({ acr: 'phrh' }, { 'urn:okta:loa:2fa:any': 'aal2' }, {}); // undefined
 */
export function providerLevel(
  claims: Readonly<Record<string, unknown>>,
  acrMap: ProviderLevelMap,
  amrMap: ProviderLevelMap,
): Level | undefined {
  let level: Level | undefined;
  const raise = (map: ProviderLevelMap, value: unknown) => {
    if (typeof value !== 'string' || !Object.hasOwn(map, value)) return;
    const l = map[value] as Level;
    if (level === undefined || levelAtLeast(l, level)) level = l;
  };
  raise(acrMap, claims.acr);
  if (Array.isArray(claims.acrs)) for (const acr of claims.acrs) raise(acrMap, acr);
  if (Array.isArray(claims.amr)) for (const amr of claims.amr) raise(amrMap, amr);
  return level;
}

/**
 * The methods a provider token's `amr` values prove under the operator's `methods` map, each once,
 * in the order of the values; none when it has no `amr` (S2, S24). The claims must already be
 * verified.
 *
 * @example
 * providerMethods(['pwd', 'hwk', 'otp'], { hwk: 'webauthn', otp: 'totp' }); // ['webauthn', 'totp']
 * providerMethods(['mfa'], { hwk: 'webauthn' });                            // []
 */
export function providerMethods(amr: unknown, methods: ProviderMethodMap): Method[] {
  if (!Array.isArray(amr)) return [];
  const proven: Method[] = [];
  for (const value of amr) {
    if (typeof value !== 'string' || !Object.hasOwn(methods, value)) continue;
    const m = methods[value] as Method;
    if (!proven.includes(m)) proven.push(m);
  }
  return proven;
}
