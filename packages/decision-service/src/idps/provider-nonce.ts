/**
 * The `nonce` of an identity-provider step-up (OpenID Connect Core §3.1.2.1, §15.5.2): made by the
 * service for one provider, user, session, action and transaction digest, so an ID token that
 * carries it is bound to that request as Stepgate's own token is (S17). Stateless: the service
 * recomputes it from the request it is presented with; nothing is stored.
 *
 * Format: `<iat>.<HMAC-SHA-256(key, JSON [idp, user, session, action, digest, iat])>` (base64url),
 * under a key derived from the master key (every replica makes and checks the same value).
 */
import { timingSafeEqual } from 'node:crypto';
import type { Sealer } from '../secrets/sealer.js';

/** What a nonce binds. */
export interface NonceBinding {
  idp: string;
  userId: string;
  sessionId?: string | undefined;
  action: string;
  digest: string;
}

/**
 * What the nonce of a step-up binds for this request: the user and session, the action, and —
 * when the requirement binds the transaction — its digest (else the action alone, as the
 * `authorization_details` of an unbound Stepgate token).
 */
export function nonceBinding(
  idp: string,
  request: { subject: { id: string; sessionId?: string | undefined }; action: { name: string } },
  digest: string,
  bound: boolean,
): NonceBinding {
  return {
    idp,
    userId: request.subject.id,
    sessionId: request.subject.sessionId,
    action: request.action.name,
    digest: bound ? digest : '',
  };
}

const FORMAT = /^([0-9]{1,12})\.([A-Za-z0-9_-]{43})$/;

function mac(sealer: Sealer, b: NonceBinding, iat: number): string {
  return sealer.hmac(
    'idp-nonce',
    JSON.stringify([b.idp, b.userId, b.sessionId ?? null, b.action, b.digest, iat]),
  );
}

/**
 * The nonce of a step-up answer at `iat` (Unix seconds).
 *
 * @example
 * providerNonce(sealer, { idp: 'corp', userId: 'u1', sessionId: 's1', action, digest }, nowSec); // '1767225600.x2…'
 */
export function providerNonce(sealer: Sealer, binding: NonceBinding, iat: number): string {
  return `${iat}.${mac(sealer, binding, iat)}`;
}

/**
 * Checks a token's `nonce` against the request it is presented with: made by this service for
 * the same provider, user, session, action and digest, at most `lifetime` seconds ago.
 *
 * @returns `{ ok: true, iat }` (when the step-up was asked for), or why not.
 */
export function checkProviderNonce(
  sealer: Sealer,
  nonce: unknown,
  binding: NonceBinding,
  now: number,
  lifetime: number,
): { ok: true; iat: number } | { ok: false; failure: 'nonce_mismatch' | 'nonce_expired' } {
  const m = typeof nonce === 'string' ? FORMAT.exec(nonce) : null;
  if (!m) return { ok: false, failure: 'nonce_mismatch' };
  const iat = Number(m[1]);
  const expected = Buffer.from(mac(sealer, binding, iat));
  const given = Buffer.from(m[2]!);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, failure: 'nonce_mismatch' };
  }
  if (iat > now + 60 || now - iat > lifetime) return { ok: false, failure: 'nonce_expired' };
  return { ok: true, iat };
}
