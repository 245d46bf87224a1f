import {
  type Amr,
  DEVICE_TOKEN_TYPE,
  type DeviceTokenClaims,
  isMethod,
  type Method,
  STEP_UP_AUTHORIZATION_TYPE,
  STEP_UP_TOKEN_TYPE,
  type StepUpTokenClaims,
} from '@stepgate/protocol';
import { randomId } from '../ids.js';
import type { Store } from '../stores/store.js';
import {
  checkTimeAndAudience,
  type JwtFailure,
  parseJws,
  signEs256,
  VerifiedSignatures,
  verifyEs256,
} from './jwt.js';
import type { KeyRing } from './key-ring.js';

/** Settings of {@link TokenService}. */
export interface TokenSettings {
  issuer: string;
  /** Lifetime of upgraded tokens, seconds. */
  stepUpLifetime: number;
  /** Lifetime of remembered-device tokens, seconds. */
  deviceLifetime: number;
  /** Tolerated clock difference, seconds. */
  clockSkew: number;
}

/** What an upgraded token asserts. */
export interface StepUpTokenParams {
  sub: string;
  aud: string;
  acr: string;
  amr: Amr[];
  /** When the method was verified, Unix seconds. */
  authTime: number;
  sid?: string;
  action: string;
  digest: string;
  /**
   * The method of the step-up (S24): `amr` cannot tell methods apart, so a requirement that
   * restricts methods reads it from the token's `authorization_details` entry. Absent only for
   * a provider's proof that showed no method.
   */
  method?: Method;
}

/** The result of a verification: the claims, or why not. */
export type VerifyResult<T> = { ok: true; claims: T } | { ok: false; failure: JwtFailure };

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 1024;

/** Token ids: 128 random bits. */
export const newTokenId = (): string => randomId(16);

function stepUpClaimsShape(p: Record<string, unknown>): p is Record<string, unknown> & StepUpTokenClaims {
  return (
    isString(p.sub) &&
    isString(p.jti) &&
    isString(p.acr) &&
    Array.isArray(p.amr) &&
    p.amr.every(isString) &&
    typeof p.auth_time === 'number' &&
    Number.isFinite(p.auth_time) &&
    (p.sid === undefined || isString(p.sid)) &&
    Array.isArray(p.authorization_details) &&
    p.authorization_details.every((d: unknown) => {
      if (typeof d !== 'object' || d === null) return false;
      const e = d as Record<string, unknown>;
      // S24: a method, when named, is one Stepgate knows; anything else is a malformed claim.
      return (
        isString(e.type) &&
        isString(e.action) &&
        isString(e.digest) &&
        (e.method === undefined || isMethod(e.method))
      );
    })
  );
}

/**
 * Mints and verifies Stepgate's tokens (docs/design/wire-contract.md "Tokens"): upgraded tokens (`stepup+jwt`,
 * published keys) and remembered-device tokens (`stepgate-device+jwt`, their own unpublished key,
 * revocable, bound to `sub` and the device id). Verification is synchronous node:crypto (S15, S16).
 */
export class TokenService {
  readonly #ring: KeyRing;
  readonly #store: Store;
  readonly #settings: TokenSettings;
  readonly #now: () => number;
  /** Signatures this service has verified (a token presented again is not verified again). */
  readonly #verified = new VerifiedSignatures();

  constructor(ring: KeyRing, store: Store, settings: TokenSettings, now: () => number) {
    this.#ring = ring;
    this.#store = store;
    this.#settings = settings;
    this.#now = now;
  }

  get settings(): Readonly<TokenSettings> {
    return this.#settings;
  }

  /**
   * Mints an upgraded token bound to an action and transaction digest, naming the method of the
   * step-up in its `authorization_details` entry.
   *
   * @example
   * const { token } = tokens.mintStepUpToken({ sub: 'u1', aud: 'app', acr: 'urn:stepgate:aal2',
   *   amr: ['otp', 'mfa'], authTime: now, sid: 's1', action: 'payments.transfer', digest, method: 'totp' });
   */
  mintStepUpToken(p: StepUpTokenParams): { token: string; claims: StepUpTokenClaims } {
    const iat = Math.floor(this.#now() / 1000);
    const claims: StepUpTokenClaims = {
      iss: this.#settings.issuer,
      sub: p.sub,
      aud: p.aud,
      iat,
      exp: iat + this.#settings.stepUpLifetime,
      jti: newTokenId(),
      acr: p.acr,
      amr: p.amr,
      auth_time: p.authTime,
      authorization_details: [
        p.method === undefined
          ? { type: STEP_UP_AUTHORIZATION_TYPE, action: p.action, digest: p.digest }
          : { type: STEP_UP_AUTHORIZATION_TYPE, action: p.action, digest: p.digest, method: p.method },
      ],
    };
    if (p.sid !== undefined) claims.sid = p.sid;
    const { kid, privateKey } = this.#ring.signingKey('step_up');
    return { token: signEs256(claims, STEP_UP_TOKEN_TYPE, kid, privateKey), claims };
  }

  /** Mints a remembered-device token for one user on one device and records its id (revocable). */
  async mintDeviceToken(p: {
    sub: string;
    deviceId: string;
  }): Promise<{ token: string; claims: DeviceTokenClaims }> {
    const iat = Math.floor(this.#now() / 1000);
    const claims: DeviceTokenClaims = {
      iss: this.#settings.issuer,
      sub: p.sub,
      iat,
      exp: iat + this.#settings.deviceLifetime,
      jti: newTokenId(),
      did: p.deviceId,
    };
    await this.#store.insertDeviceToken({
      jti: claims.jti,
      userId: p.sub,
      deviceId: p.deviceId,
      issuedAt: iat * 1000,
      expiresAt: claims.exp * 1000,
    });
    const { kid, privateKey } = this.#ring.signingKey('device');
    return { token: signEs256(claims, DEVICE_TOKEN_TYPE, kid, privateKey), claims };
  }

  /** Verifies signature, `typ`, `iss`, `aud`, `exp`, `nbf` and claim shapes of an upgraded token (S15, S16, S19). */
  async verifyStepUpToken(token: unknown, audience: string): Promise<VerifyResult<StepUpTokenClaims>> {
    const jws = parseJws(token);
    if (!jws) return { ok: false, failure: 'malformed' };
    const sig = await this.#verifySignature(jws, STEP_UP_TOKEN_TYPE, 'step_up');
    if (!sig.ok) return sig;
    const failure = checkTimeAndAudience(jws.payload, {
      iss: this.#settings.issuer,
      aud: audience,
      now: this.#now() / 1000,
      skew: this.#settings.clockSkew,
    });
    if (failure) return { ok: false, failure };
    if (!stepUpClaimsShape(jws.payload)) return { ok: false, failure: 'bad_claims' };
    return { ok: true, claims: jws.payload };
  }

  /**
   * Verifies a remembered-device token for this user and device (S25): signed by the device key,
   * not expired, not revoked, `sub` equal to the user, `did` equal to the device id.
   */
  async verifyDeviceToken(
    token: unknown,
    userId: string,
    deviceId: string,
  ): Promise<VerifyResult<DeviceTokenClaims>> {
    const jws = parseJws(token);
    if (!jws) return { ok: false, failure: 'malformed' };
    const sig = await this.#verifySignature(jws, DEVICE_TOKEN_TYPE, 'device');
    if (!sig.ok) return sig;
    const p = jws.payload;
    const failure = checkTimeAndAudience(p, {
      iss: this.#settings.issuer,
      now: this.#now() / 1000,
      skew: this.#settings.clockSkew,
    });
    if (failure) return { ok: false, failure };
    if (!isString(p.jti) || !isString(p.sub) || !isString(p.did)) return { ok: false, failure: 'bad_claims' };
    if (p.sub !== userId || p.did !== deviceId) return { ok: false, failure: 'wrong_subject' };
    const record = await this.#store.getDeviceToken(p.jti);
    if (!record || record.revokedAt !== undefined || record.userId !== userId)
      return { ok: false, failure: 'revoked' };
    return { ok: true, claims: p as unknown as DeviceTokenClaims };
  }

  async #verifySignature(jws: ReturnType<typeof parseJws> & object, typ: string, use: 'step_up' | 'device') {
    const keyFor = (kid: string) => this.#ring.verificationKey(use, kid);
    let result = verifyEs256(jws, typ, keyFor, this.#verified);
    // S19: an unknown kid may be a key another replica just rotated in; re-read once per cooldown.
    if (!result.ok && result.failure === 'unknown_kid' && (await this.#ring.refreshForUnknownKid())) {
      result = verifyEs256(jws, typ, keyFor, this.#verified);
    }
    return result;
  }
}
