/**
 * Compact JWS with ES256 on the synchronous node:crypto path (docs/design/wire-contract.md "Tokens": verification
 * ≤ 150 µs p50). Parsing is done by hand and strictly (RFC 8725 §3): the algorithm is pinned,
 * `typ` is checked, `crit` is refused, and `jku`, `x5u`, `jwk`, `x5c` are never followed.
 */
import { createHash, type KeyObject, sign, verify } from 'node:crypto';

/** Largest token accepted, in characters. */
export const MAX_TOKEN_LENGTH = 8192;

const B64URL = /^[A-Za-z0-9_-]*$/;

/** Why a token was refused (logged and put in reasons; never the token itself). */
export type JwtFailure =
  | 'malformed'
  | 'bad_header'
  | 'alg_not_allowed'
  | 'wrong_typ'
  | 'unknown_kid'
  | 'bad_signature'
  | 'bad_claims'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_subject'
  | 'revoked';

/** The parsed parts of a compact JWS, before its signature is checked. */
export interface ParsedJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: Buffer;
  signature: Buffer;
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Splits and decodes a compact JWS; `undefined` for anything that is not three base64url JSON parts. */
export function parseJws(token: unknown): ParsedJws | undefined {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [h, p, s] = parts as [string, string, string];
  if (h === '' || p === '' || !B64URL.test(h) || !B64URL.test(p) || !B64URL.test(s)) return undefined;
  const header = decodeJson(h);
  const payload = decodeJson(p);
  if (!header || !payload) return undefined;
  return {
    header,
    payload,
    signingInput: Buffer.from(`${h}.${p}`, 'ascii'),
    signature: Buffer.from(s, 'base64url'),
  };
}

/**
 * Signatures already verified, so that a token presented again (a remembered device's token comes
 * with every request of that device; a step-up token that is not single-use, with every request
 * it covers) costs a hash instead of an ES256 verification (~100 µs). An entry is the SHA-256 of
 * the signed text and the signature, mapped to the public key that verified them: it counts only
 * while the key ring still returns that very key for the token's `kid`, so a key past its
 * retention is never trusted from here. Tokens themselves are not kept. Bounded; the oldest entry
 * goes first.
 *
 * @example
 * const verified = new VerifiedSignatures();
 * verifyEs256(jws, DEVICE_TOKEN_TYPE, keyFor, verified);
 */
export class VerifiedSignatures {
  readonly #entries = new Map<string, KeyObject>();
  readonly #max: number;

  constructor(max = 10_000) {
    this.#max = max;
  }

  /** The digest a signature is remembered by. */
  static digest(jws: ParsedJws): string {
    return createHash('sha256').update(jws.signingInput).update(jws.signature).digest('base64url');
  }

  /** Whether `key` verified the signature with this digest. */
  verifiedBy(digest: string, key: KeyObject): boolean {
    return this.#entries.get(digest) === key;
  }

  /** Remembers that `key` verified the signature with this digest. */
  add(digest: string, key: KeyObject): void {
    if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(digest, key);
  }
}

/**
 * Checks the header and signature of a parsed ES256 JWS. `keyFor(kid)` returns the public key for
 * a `kid` or `undefined`; the header's own key material is never used. With `verified`, a
 * signature that key verified before is not verified again.
 */
export function verifyEs256(
  jws: ParsedJws,
  typ: string,
  keyFor: (kid: string) => KeyObject | undefined,
  verified?: VerifiedSignatures,
): { ok: true; kid: string } | { ok: false; failure: JwtFailure } {
  const { header } = jws;
  // RFC 8725 §3.1: pin the algorithm; `none`, HS256 (with the public key as secret) and all others fail.
  if (header.alg !== 'ES256') return { ok: false, failure: 'alg_not_allowed' };
  // RFC 8725 §3.11: explicit typing.
  if (header.typ !== typ) return { ok: false, failure: 'wrong_typ' };
  if (header.crit !== undefined) return { ok: false, failure: 'bad_header' };
  if (typeof header.kid !== 'string' || header.kid === '' || header.kid.length > 200) {
    return { ok: false, failure: 'bad_header' };
  }
  const key = keyFor(header.kid);
  if (!key) return { ok: false, failure: 'unknown_kid' };
  if (jws.signature.length !== 64) return { ok: false, failure: 'bad_signature' };
  const digest = verified === undefined ? '' : VerifiedSignatures.digest(jws);
  if (verified?.verifiedBy(digest, key)) return { ok: true, kid: header.kid };
  const valid = verify('sha256', jws.signingInput, { key, dsaEncoding: 'ieee-p1363' }, jws.signature);
  if (!valid) return { ok: false, failure: 'bad_signature' };
  verified?.add(digest, key);
  return { ok: true, kid: header.kid };
}

/** Signs claims as a compact ES256 JWS with the given `typ` and `kid`. */
export function signEs256(claims: object, typ: string, kid: string, privateKey: KeyObject): string {
  const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ, kid })).toString('base64url');
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const input = `${header}.${payload}`;
  const signature = sign('sha256', Buffer.from(input, 'ascii'), {
    key: privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${signature.toString('base64url')}`;
}

/**
 * Checks the registered time and audience claims shared by every token type (S16).
 * `now` is Unix seconds; `skew` seconds of clock difference are tolerated.
 */
export function checkTimeAndAudience(
  payload: Record<string, unknown>,
  expected: { iss: string; aud?: string; now: number; skew: number },
): JwtFailure | undefined {
  const { iss, aud, exp, nbf, iat } = payload;
  if (typeof exp !== 'number' || !Number.isFinite(exp) || typeof iat !== 'number' || !Number.isFinite(iat)) {
    return 'bad_claims';
  }
  if (nbf !== undefined && (typeof nbf !== 'number' || !Number.isFinite(nbf))) return 'bad_claims';
  if (iss !== expected.iss) return 'wrong_issuer';
  if (expected.aud !== undefined) {
    const ok =
      typeof aud === 'string' ? aud === expected.aud : Array.isArray(aud) && aud.includes(expected.aud);
    if (!ok) return 'wrong_audience';
  }
  if (exp <= expected.now - expected.skew) return 'expired';
  if (typeof nbf === 'number' && nbf > expected.now + expected.skew) return 'not_yet_valid';
  if (iat > expected.now + expected.skew) return 'not_yet_valid';
  return undefined;
}
