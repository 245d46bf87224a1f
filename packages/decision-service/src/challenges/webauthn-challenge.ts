/**
 * WebAuthn challenge bytes and the `clientDataJSON` checks the library leaves to us (S11, S12).
 */
import { createHash, randomBytes } from 'node:crypto';

/** A fresh nonce: 32 random bytes, base64url (S11: ≥ 16). */
export const newNonce = (): string => randomBytes(32).toString('base64url');

/**
 * The challenge bytes of an assertion (docs/design/flows.md "Methods and what they prove"):
 * `SHA-256(digest ‖ nonce)`, where `digest` is the 32 bytes of the challenge's transaction digest
 * (`transactionDigest({ action, transaction })`) and `nonce` 32 fresh random bytes. The service
 * recomputes them from the challenge record at verification, so an assertion made for one
 * transaction cannot be used for another, and a new `start` makes new bytes.
 * The native device key signs exactly these bytes (`publicKey.challenge`, base64url).
 *
 * @example
 * assertionChallenge(challenge.digest, newNonce()); // 'q0b…' (43 base64url characters)
 */
export function assertionChallenge(digest: string, nonce: string): string {
  return createHash('sha256')
    .update(Buffer.from(digest, 'base64url'))
    .update(Buffer.from(nonce, 'base64url'))
    .digest('base64url');
}

/** What {@link checkClientData} expects. */
export interface ClientDataExpectation {
  type: 'webauthn.get' | 'webauthn.create';
  /** base64url. */
  challenge: string;
  /** Exact allowlist (S12), `android:apk-key-hash:…` included. */
  origins: readonly string[];
}

/**
 * Checks `clientDataJSON` ourselves (S12): `type`, `challenge`, an origin of the exact allowlist,
 * `crossOrigin` not `true`, and no `topOrigin` at all (Stepgate is never embedded cross-origin;
 * @simplewebauthn/server only looks at `crossOrigin` when a `topOrigin` is present).
 *
 * @returns undefined when it passes, otherwise a short failure code for the audit log.
 * @example
 * checkClientData(response.response.clientDataJSON, { type: 'webauthn.get', challenge, origins }); // undefined
 */
export function checkClientData(
  clientDataJSON: unknown,
  expected: ClientDataExpectation,
): string | undefined {
  if (typeof clientDataJSON !== 'string' || clientDataJSON.length > 8192) return 'malformed';
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
  } catch {
    return 'malformed';
  }
  if (typeof data !== 'object' || data === null) return 'malformed';
  const cd = data as Record<string, unknown>;
  if (cd.type !== expected.type) return 'type';
  if (cd.challenge !== expected.challenge) return 'challenge';
  if (typeof cd.origin !== 'string' || !expected.origins.includes(cd.origin)) return 'origin';
  if (cd.crossOrigin === true) return 'cross_origin';
  if (cd.topOrigin !== undefined) return 'top_origin';
  return undefined;
}
