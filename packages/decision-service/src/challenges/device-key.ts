/**
 * Native device keys (docs/design/flows.md "Methods and what they prove", the webview bridge): a P-256 key made in the
 * phone's secure hardware and unlocked by the app's biometric prompt signs the challenge bytes.
 * The service checks the ECDSA signature with node:crypto; single use comes from the challenge,
 * which is consumed before verification (S11).
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { type P256PublicJwk, StepgateError } from '@stepgate/protocol';

/**
 * Imports a P-256 public JWK, checking that it is a point on the curve.
 *
 * @throws StepgateError `invalid_request` for anything but a valid P-256 public key.
 * @example
 * const key = importDeviceKey({ kty: 'EC', crv: 'P-256', x: '…', y: '…' });
 */
export function importDeviceKey(jwk: P256PublicJwk): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, format: 'jwk' });
  } catch (cause) {
    throw new StepgateError('invalid_request', 'publicKey is not a valid P-256 public key', { cause });
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new StepgateError('invalid_request', 'publicKey must be a P-256 key');
  }
  return key;
}

/**
 * Verifies an ECDSA P-256 / SHA-256 signature over `data`, given in DER (what Android's
 * `Signature` and iOS's `SecKeyCreateSignature` produce) or IEEE P1363 (`r ‖ s`, 64 bytes, what
 * WebCrypto produces).
 *
 * @returns false for a wrong, malformed or oversized signature; never throws.
 * @example
 * verifyDeviceKeySignature(jwk, challengeBytes, assertion.signature); // true
 */
export function verifyDeviceKeySignature(jwk: P256PublicJwk, data: Uint8Array, signature: string): boolean {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(signature)) return false;
  const sig = Buffer.from(signature, 'base64url');
  let key: KeyObject;
  try {
    key = importDeviceKey(jwk);
  } catch {
    return false;
  }
  const encodings: Array<'der' | 'ieee-p1363'> = sig.length === 64 ? ['ieee-p1363', 'der'] : ['der'];
  for (const dsaEncoding of encodings) {
    try {
      if (verify('sha256', data, { key, dsaEncoding }, sig)) return true;
    } catch {
      // A malformed encoding is a wrong signature.
    }
  }
  return false;
}
