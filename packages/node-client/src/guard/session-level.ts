/**
 * The session's level and `auth_time` read from the app's own token (its JWT access token,
 * RFC 9068 §2.2.1, or the ID token of its session) instead of asserted by the app: verified with
 * jose against the provider's JWKS, and mapped with the same `acrMap`/`amrMap` as the service's
 * `idps` entry — never more than the map says (S2). docs/idp.md "The app's own token".
 */
import {
  isLevel,
  isMethod,
  type Level,
  type Method,
  type ProviderMethodMap,
  providerLevel,
  providerMethods,
  type Subject,
} from '@stepgate/protocol';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { StepgateClientError } from '../errors.js';

type MaybePromise<T> = T | Promise<T>;

/**
 * Options of the guards' `sessionToken`.
 * @example
 * const sessionToken: SessionTokenOptions<express.Request> = {
 *   token: (req) => req.get('authorization')?.replace(/^Bearer /, ''),
 *   issuer: 'https://login.example.com',
 *   audience: 'api://bank',
 *   acrMap: { 'urn:corp:pwd': 'aal1', 'urn:corp:mfa': 'aal2' },
 * };
 */
export interface SessionTokenOptions<Req> {
  /** The app's own token for this request: a JWT access token, or its session's ID token. */
  token: (req: Req) => MaybePromise<string | null | undefined>;
  /** The provider's issuer identifier (`iss`). */
  issuer: string;
  /** Accepted `aud` values: the API identifier (access tokens) or the app's client id (ID tokens). */
  audience: string | readonly string[];
  /** Provider `acr` → level: the same map as the service's `idps[].acrMap`. */
  acrMap?: Readonly<Record<string, Level>>;
  /** RFC 8176 `amr` value → level: the same map as the service's `idps[].amrMap`. */
  amrMap?: Readonly<Record<string, Level>>;
  /**
   * RFC 8176 `amr` value → the Stepgate method it proves (`{ hwk: 'webauthn' }`): the same map
   * as the service's `idps[].methods`. The token's mapped values become `subject.methods`, which
   * a policy with `require.methods` needs to count the session (S24). Map a value to the weakest
   * method it may stand for, and never `mfa` (docs/idp.md "Restricting methods across performers").
   * @defaultValue none: the session proves no method
   */
  methods?: ProviderMethodMap;
  /** @defaultValue the `jwks_uri` of the issuer's discovery document, fetched once */
  jwksUri?: string;
  /** Accepted signing algorithms (never `none` or a MAC). @defaultValue RS/PS/ES 256–512 and EdDSA */
  algorithms?: readonly string[];
  /** The claim that holds `subject.id`. @defaultValue 'sub' */
  subjectClaim?: string;
  /** Tolerated clock difference, seconds. @defaultValue 30 */
  clockSkewSeconds?: number;
}

/** Reads the level of a request's session: the subject with `acr`, `authTime` and `methods` from the token. */
export type SessionLevelReader<Req> = (req: Req, subject: Subject) => Promise<Subject>;

const DEFAULT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

function fail(message: string): never {
  throw new StepgateClientError('invalid_options', message);
}

function checkMap(map: unknown, name: string): Readonly<Record<string, Level>> {
  if (map === undefined) return {};
  if (typeof map !== 'object' || map === null || Array.isArray(map)) fail(`${name} must be an object`);
  for (const [key, level] of Object.entries(map)) {
    if (!isLevel(level)) fail(`${name}["${key}"] must be aal1, aal2 or aal3`);
  }
  return map as Record<string, Level>;
}

function checkMethodMap(map: unknown, name: string): ProviderMethodMap {
  if (map === undefined) return {};
  if (typeof map !== 'object' || map === null || Array.isArray(map)) fail(`${name} must be an object`);
  for (const [key, method] of Object.entries(map)) {
    if (!isMethod(method)) fail(`${name}["${key}"] must be a Stepgate method (webauthn, totp, …)`);
  }
  return map as Record<string, Method>;
}

function httpsUrl(value: unknown, name: string): string {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    return fail(`${name} must be an absolute URL`);
  }
  const loopback = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/.test(url.hostname);
  if (typeof value !== 'string' || !(url.protocol === 'https:' || (url.protocol === 'http:' && loopback))) {
    fail(`${name} must be an https URL (http only on a loopback host)`);
  }
  return value;
}

/**
 * Checks the options when the guards are created and returns the reader. The reader replaces the
 * app's `acr`, `authTime` and `methods` with what a verified token proves: its mapped level,
 * `auth_time` and mapped methods when the token is valid, for this issuer and audience, and names
 * the same user; otherwise none of them (an aal1 session without a known authentication time or
 * method — never more than proven).
 *
 * @throws StepgateClientError `invalid_options` naming the first bad option.
 */
export function createSessionLevelReader<Req>(
  options: SessionTokenOptions<Req>,
  onError: (error: unknown, req: Req) => void,
): SessionLevelReader<Req> {
  if (typeof options !== 'object' || options === null) fail('sessionToken must be an object');
  if (typeof options.token !== 'function') fail('sessionToken.token must be a function');
  const issuer = httpsUrl(options.issuer, 'sessionToken.issuer');
  const audience = typeof options.audience === 'string' ? [options.audience] : options.audience;
  if (
    !Array.isArray(audience) ||
    audience.length === 0 ||
    !audience.every((a) => typeof a === 'string' && a !== '')
  ) {
    fail('sessionToken.audience must be a string or a non-empty list of strings');
  }
  const acrMap = checkMap(options.acrMap, 'sessionToken.acrMap');
  const amrMap = checkMap(options.amrMap, 'sessionToken.amrMap');
  const methodMap = checkMethodMap(options.methods, 'sessionToken.methods');
  if (Object.keys(acrMap).length + Object.keys(amrMap).length === 0) {
    fail('sessionToken needs an acrMap or an amrMap: what the provider’s tokens prove');
  }
  const algorithms = [...(options.algorithms ?? DEFAULT_ALGORITHMS)];
  if (algorithms.length === 0 || algorithms.some((a) => a === 'none' || /^HS/i.test(a))) {
    fail('sessionToken.algorithms must list asymmetric algorithms only (never none or HS*)');
  }
  const subjectClaim = options.subjectClaim ?? 'sub';
  const skew = options.clockSkewSeconds ?? 30;
  if (!Number.isInteger(skew) || skew < 0 || skew > 300)
    fail('sessionToken.clockSkewSeconds must be 0 to 300');
  const jwksUri =
    options.jwksUri === undefined ? undefined : httpsUrl(options.jwksUri, 'sessionToken.jwksUri');

  let jwks: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  const keys = () => {
    jwks ??= (async () => {
      if (jwksUri !== undefined) return createRemoteJWKSet(new URL(jwksUri));
      // OpenID Connect Discovery §4: the document names the issuer exactly and its jwks_uri.
      const res = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, {
        signal: AbortSignal.timeout(5000),
      });
      const doc = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
      if (!res.ok || doc.issuer !== issuer) throw new Error(`discovery of ${issuer} failed`);
      return createRemoteJWKSet(new URL(httpsUrl(doc.jwks_uri, 'jwks_uri')));
    })();
    jwks.catch(() => {
      jwks = undefined; // try discovery again on the next request
    });
    return jwks;
  };

  return async (req, subject) => {
    // S24: what proved the session (its methods) comes from the token too, never the app.
    const { acr: _acr, authTime: _authTime, methods: _methods, ...unproven } = subject;
    const token = await options.token(req);
    if (typeof token !== 'string' || token === '' || token.length > 8192) return unproven;
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, await keys(), {
        issuer,
        audience,
        algorithms,
        clockTolerance: skew,
      }));
    } catch (error) {
      // An invalid token proves nothing; a provider that cannot be reached is worth a log line.
      if (!(error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_J')))
        onError(error, req);
      return unproven;
    }
    if (claims[subjectClaim] !== subject.id) return unproven;
    const level = providerLevel(claims, acrMap, amrMap);
    if (level === undefined) return unproven;
    const proven: Subject = { ...unproven, acr: level };
    if (typeof claims.auth_time === 'number' && Number.isFinite(claims.auth_time))
      proven.authTime = claims.auth_time;
    const methods = providerMethods(claims.amr, methodMap);
    if (methods.length > 0) proven.methods = methods;
    return proven;
  };
}
