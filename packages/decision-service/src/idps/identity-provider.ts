/**
 * One configured identity provider at run time: its discovered metadata and its JWKS (fetched
 * by jose, cached, refetched for an unknown `kid` at most once per cooldown: key rotation, S19),
 * and the verification of its tokens with jose: any algorithm it publishes but never `none` or a
 * MAC (RFC 8725 §3.1), its `iss`, one of its `aud` values, `exp`/`nbf`/`iat` with the service's
 * clock skew. `jku`, `x5u` and embedded keys are never followed.
 */
import { createRemoteJWKSet, decodeJwt, errors, type JWTPayload, jwtVerify } from 'jose';
import type { IdpSettings } from '../config/idps-config.js';
import type { ProviderMetadata } from './provider-metadata.js';

/** Why a provider's token was refused (in reasons and audit; never the token). */
export type ProviderTokenFailure =
  | 'malformed'
  | 'unknown_issuer'
  | 'performer_not_allowed'
  | 'alg_not_allowed'
  | 'unknown_kid'
  | 'bad_signature'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'wrong_azp'
  | 'expired'
  | 'not_yet_valid'
  | 'bad_claims'
  | 'jwks_unavailable'
  | 'wrong_subject'
  | 'level_unmapped'
  | 'method_not_allowed'
  | 'nonce_mismatch'
  | 'nonce_expired'
  | 'token_not_bound'
  | 'replayed';

/** Largest provider token accepted, characters. */
export const MAX_PROVIDER_TOKEN_LENGTH = 8192;

function failureOf(error: unknown): ProviderTokenFailure {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return 'wrong_issuer';
    if (error.claim === 'aud') return 'wrong_audience';
    if (error.claim === 'nbf' || error.claim === 'iat') return 'not_yet_valid';
    return 'bad_claims';
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
    return 'alg_not_allowed';
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys)
    return 'unknown_kid';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return 'jwks_unavailable';
  if (error instanceof errors.JOSEError) return 'malformed';
  // A network failure of the JWKS fetch.
  return 'jwks_unavailable';
}

/** A configured provider, discovered. */
export class IdentityProvider {
  readonly settings: IdpSettings;
  readonly metadata: ProviderMetadata;
  readonly #jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(settings: IdpSettings, metadata: ProviderMetadata) {
    this.settings = settings;
    this.metadata = metadata;
    this.#jwks = createRemoteJWKSet(new URL(metadata.jwksUri), {
      cooldownDuration: settings.jwksCooldown * 1000,
      cacheMaxAge: settings.jwksMaxAge * 1000,
      timeoutDuration: 5000,
    });
  }

  /** `idp:<id>`. */
  get performer(): `idp:${string}` {
    return `idp:${this.settings.id}`;
  }

  /**
   * Verifies a token of this provider: signature against its JWKS with one of its algorithms,
   * `iss`, `aud` (one of `audiences`), `azp` (when present: the client id, OIDC Core §3.1.3.7),
   * `exp`, `nbf`, `iat` at `now` (ms) with `skew` seconds of tolerance.
   */
  async verify(
    token: string,
    now: number,
    skew: number,
  ): Promise<{ ok: true; claims: JWTPayload } | { ok: false; failure: ProviderTokenFailure }> {
    try {
      const { payload } = await jwtVerify(token, this.#jwks, {
        issuer: this.settings.issuer,
        audience: this.settings.audiences,
        algorithms: this.metadata.algorithms,
        currentDate: new Date(now),
        clockTolerance: skew,
        requiredClaims: ['exp', 'iat'],
      });
      if (payload.azp !== undefined && payload.azp !== this.settings.clientId) {
        return { ok: false, failure: 'wrong_azp' };
      }
      return { ok: true, claims: payload };
    } catch (error) {
      return { ok: false, failure: failureOf(error) };
    }
  }
}

/**
 * The unverified `iss` of a compact JWT, to choose the provider whose keys verify it; `undefined`
 * when it is not one. Nothing else of an unverified token is read.
 */
export function unverifiedIssuer(token: string): string | undefined {
  if (token.length > MAX_PROVIDER_TOKEN_LENGTH) return undefined;
  try {
    const { iss } = decodeJwt(token);
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}
