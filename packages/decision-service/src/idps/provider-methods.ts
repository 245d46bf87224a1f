/**
 * A provider's `amr` values (RFC 8176) as Stepgate methods, by the operator's `idps[].methods`
 * map (docs/idp.md "Restricting methods across performers"): which values a step-up answer asks
 * for, and which allowed method a returned token proves. A value the map does not name proves no
 * method — never more than the map says (S2).
 */
import { type Method, type ProviderMethodMap, providerMethods } from '@stepgate/protocol';

/**
 * The provider's `amr` values that count as one of `allowed`, in the map's order.
 *
 * @example
 * amrValuesFor({ hwk: 'webauthn', swk: 'webauthn', otp: 'totp' }, ['webauthn']); // ['hwk', 'swk']
 */
export function amrValuesFor(methods: ProviderMethodMap, allowed: readonly Method[]): string[] {
  return Object.entries(methods)
    .filter(([, m]) => allowed.includes(m))
    .map(([amr]) => amr);
}

/**
 * The allowed method a verified token's `amr` claim proves: the first of `allowed` (preference
 * order) that one of its values maps to; `undefined` when there is none (no `amr`, or only values
 * that the map leaves out or turns into another method).
 *
 * @example
 * provenMethod(['pwd', 'hwk'], { hwk: 'webauthn', otp: 'totp' }, ['webauthn', 'totp']); // 'webauthn'
 * provenMethod(['pwd', 'sms'], { hwk: 'webauthn', sms: 'sms_otp' }, ['webauthn']);      // undefined
 */
export function provenMethod(
  amr: unknown,
  methods: ProviderMethodMap,
  allowed: readonly Method[],
): Method | undefined {
  const proven = providerMethods(amr, methods);
  return allowed.find((m) => proven.includes(m));
}
