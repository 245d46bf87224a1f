import { randomBytes, timingSafeEqual } from 'node:crypto';
import { HOTP, Secret, TOTP } from 'otpauth';

/** Hash algorithms of RFC 6238 §1.2. */
export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

/** Parameters of a TOTP factor. */
export interface TotpParams {
  /** @defaultValue 'SHA1' (what every authenticator app supports) */
  algorithm: TotpAlgorithm;
  /** @defaultValue 6 */
  digits: number;
  /** Time step, seconds (S5). @defaultValue 30 */
  period: number;
}

/** The defaults every authenticator app understands. */
export const DEFAULT_TOTP: Readonly<TotpParams> = Object.freeze({ algorithm: 'SHA1', digits: 6, period: 30 });

/** Bytes of a new TOTP secret: 160 bits, the RFC 4226 §4 recommendation (S9). */
export const TOTP_SECRET_BYTES = 20;

/** A new TOTP secret from the CSPRNG (S9). */
export const newTotpSecret = (): Buffer => randomBytes(TOTP_SECRET_BYTES);

/** Base32 (RFC 4648) of a secret, as authenticator apps take it. */
export const base32 = (secret: Buffer): string =>
  new Secret({ buffer: new Uint8Array(secret).buffer }).base32;

/**
 * The HOTP value for a counter (RFC 4226 §5.3), with 64-bit counters (time 20000000000, S4).
 *
 * @example
 * hotp(Buffer.from('12345678901234567890'), 0); // '755224'
 */
export function hotp(secret: Buffer, counter: number, params: Partial<TotpParams> = {}): string {
  return HOTP.generate({
    secret: new Secret({ buffer: new Uint8Array(secret).buffer }),
    algorithm: params.algorithm ?? DEFAULT_TOTP.algorithm,
    digits: params.digits ?? DEFAULT_TOTP.digits,
    counter,
  });
}

/** The time step of a Unix time in seconds (RFC 6238 §4.2, T0 = 0). */
export const totpStep = (unixSeconds: number, period = DEFAULT_TOTP.period): number =>
  Math.floor(unixSeconds / period);

/**
 * The TOTP value at a Unix time in seconds (RFC 6238 §4).
 *
 * @example
 * totpAt(Buffer.from('12345678901234567890'), 59, { digits: 8 }); // '94287082'
 */
export function totpAt(secret: Buffer, unixSeconds: number, params: Partial<TotpParams> = {}): string {
  const period = params.period ?? DEFAULT_TOTP.period;
  return hotp(secret, totpStep(unixSeconds, period), params);
}

/** Constant-time equality of two short strings (S10). */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The step a code belongs to, among T−1, T and T+1 of the server's clock (RFC 6238 §5.2, S5), or
 * undefined. All three are computed and compared in constant time, whatever matches.
 * The caller must still reject a step at or before the factor's last accepted one (S6).
 */
export function matchTotp(
  secret: Buffer,
  code: string,
  unixSeconds: number,
  params: Partial<TotpParams> = {},
): number | undefined {
  const period = params.period ?? DEFAULT_TOTP.period;
  const now = totpStep(unixSeconds, period);
  let found: number | undefined;
  for (const step of [now - 1, now, now + 1]) {
    if (constantTimeEqual(hotp(secret, step, params), code) && found === undefined) found = step;
  }
  return found;
}

/**
 * The `otpauth://` URI of a secret (Key Uri Format), for the QR code.
 *
 * @example
 * otpauthUri({ secret, issuer: 'Stepgate', account: 'alice' });
 * // 'otpauth://totp/Stepgate:alice?issuer=Stepgate&secret=…&algorithm=SHA1&digits=6&period=30'
 */
export function otpauthUri(
  p: { secret: Buffer; issuer: string; account: string } & Partial<TotpParams>,
): string {
  return new TOTP({
    issuer: p.issuer,
    label: p.account,
    secret: new Secret({ buffer: new Uint8Array(p.secret).buffer }),
    algorithm: p.algorithm ?? DEFAULT_TOTP.algorithm,
    digits: p.digits ?? DEFAULT_TOTP.digits,
    period: p.period ?? DEFAULT_TOTP.period,
  }).toString();
}
