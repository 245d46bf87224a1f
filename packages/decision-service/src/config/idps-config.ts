/**
 * The `idps` section of the configuration: the operator's OpenID Connect providers that may
 * perform step-ups (`performer: idp:<id>` in policies; docs/idp.md). Each is discovered at start
 * (OpenID Connect Discovery 1.0) and its tokens verified against its JWKS; its `acrMap`/`amrMap`
 * say what a token from it proves — never more (S2).
 */
import { LEVELS, type Level, levelAtLeast, METHODS, type Method } from '@stepgate/protocol';
import { ConfigError, type ConfigLocation } from './config-error.js';
import { type DurationInput, durationSeconds } from './duration.js';

/** One identity provider as written in the file. */
export interface IdpConfigInput {
  /** Named in policies as `idp:<id>`: letters, digits, `_`, `-`. */
  id: string;
  /** Shown in "Continue with …". @defaultValue the id */
  name?: string;
  /**
   * The issuer identifier: `iss` of its tokens and the base of its discovery document
   * (`{issuer}/.well-known/openid-configuration`). https, or http on a loopback host (tests).
   */
  issuer: string;
  /** The app's client id at the provider: `client_id` of the authorization request and the `aud` of its ID tokens. */
  clientId: string;
  /**
   * `aud` values accepted on the provider's tokens: the client id for ID tokens, plus an API
   * identifier for JWT access tokens (Auth0 `audience`, Okta `api://default`, …).
   * @defaultValue `[clientId]`
   */
  audiences?: string[];
  /** Provider `acr` value → the level it proves. */
  acrMap?: Record<string, Level>;
  /** RFC 8176 `amr` value the provider emits → the level it proves (the highest mapped value counts). */
  amrMap?: Record<string, Level>;
  /**
   * `amr` value the provider emits → the Stepgate method it counts as (`hwk: webauthn`,
   * `otp: totp`, `sms: sms_otp`, …). A requirement that restricts methods (`require.methods`) is
   * performed by this provider only when one of these methods is allowed, and its token must then
   * carry such an `amr` value. Absent: the provider never performs a methods-restricted step-up.
   */
  methods?: Record<string, Method>;
  /**
   * The claim that holds the app's user id (`subject.id` of decision requests): `sub` when the
   * app keys users by the provider's subject, or another string claim such as `email` or an
   * `oid`/`uid` the app stores. @defaultValue 'sub'
   */
  subjectClaim?: string;
  /** `scope` of the authorization request. @defaultValue 'openid' */
  scope?: string;
  /** Least time between two JWKS fetches for an unknown `kid` (key rotation, S19). @defaultValue 30 */
  jwksCooldown?: DurationInput;
  /** How long a fetched JWKS is kept before it is fetched again. @defaultValue '10m' */
  jwksMaxAge?: DurationInput;
}

/** One identity provider with its defaults filled. */
export interface IdpSettings {
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  audiences: string[];
  acrMap: Record<string, Level>;
  amrMap: Record<string, Level>;
  /** `amr` value → Stepgate method (`{}` when not configured). */
  methods: Record<string, Method>;
  subjectClaim: string;
  scope: string;
  /** Seconds. */
  jwksCooldown: number;
  /** Seconds. */
  jwksMaxAge: number;
  /** The highest level its maps give: it performs step-ups up to this level only. */
  maxLevel: Level;
  /** Where the entry is in the configuration, for the errors found at start (discovery). */
  location: ConfigLocation;
}

const level = { enum: [...LEVELS] } as const;
const duration = {
  anyOf: [
    { type: 'integer', minimum: 0, maximum: 86_400 },
    { type: 'string', pattern: '^(\\d+[smhd])+$', maxLength: 32 },
  ],
} as const;
const levelMap = {
  type: 'object',
  minProperties: 1,
  maxProperties: 64,
  propertyNames: { type: 'string', minLength: 1, maxLength: 256 },
  additionalProperties: level,
} as const;

/** JSON Schema of the `idps` section. */
export const idpsConfigSchema = {
  type: 'array',
  maxItems: 30,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'issuer', 'clientId'],
    // A provider whose tokens prove nothing would never meet a requirement.
    anyOf: [
      { properties: { acrMap: true }, required: ['acrMap'] },
      { properties: { amrMap: true }, required: ['amrMap'] },
    ],
    properties: {
      id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
      name: { type: 'string', minLength: 1, maxLength: 128 },
      issuer: { type: 'string', pattern: '^https?://', maxLength: 2000 },
      clientId: { type: 'string', minLength: 1, maxLength: 256 },
      audiences: {
        type: 'array',
        minItems: 1,
        maxItems: 20,
        uniqueItems: true,
        items: { type: 'string', minLength: 1, maxLength: 500 },
      },
      acrMap: levelMap,
      amrMap: levelMap,
      methods: {
        type: 'object',
        minProperties: 1,
        maxProperties: 64,
        propertyNames: { type: 'string', minLength: 1, maxLength: 256 },
        additionalProperties: { enum: [...METHODS] },
      },
      subjectClaim: { type: 'string', pattern: '^[A-Za-z0-9_:.-]{1,100}$' },
      scope: { type: 'string', pattern: '^openid( [!#-\\[\\]-~]+)*$', maxLength: 1000 },
      jwksCooldown: duration,
      jwksMaxAge: duration,
    },
  },
} as const;

/** The schema path of the "acrMap or amrMap" rule, for its message. */
export const IDP_MAP_RULE = '#/properties/idps/items/anyOf';

/** Loopback hosts, where an `http:` issuer is accepted (tests and local development). */
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * What the schema cannot say: unique ids, an issuer that is an https URL (http only on a loopback
 * host) without query or fragment (OpenID Connect Discovery §3). Run on the merged configuration.
 *
 * @throws ConfigError located at the offending entry.
 * @example
 * checkIdpsConfig([{ id: 'corp', issuer: 'http://login.example.com', clientId: 'app', acrMap: { mfa: 'aal2' } }], locate);
 * // ConfigError: stepgate.yaml:4:13 /idps/0/issuer: must be an https URL (http only on a loopback host)
 */
export function checkIdpsConfig(
  idps: IdpConfigInput[] | undefined,
  locate: (path: string[]) => ConfigLocation,
): void {
  const seen = new Map<string, number>();
  for (const [i, idp] of (idps ?? []).entries()) {
    const earlier = seen.get(idp.id);
    if (earlier !== undefined) {
      throw new ConfigError(
        locate(['idps', String(i), 'id']),
        `duplicate id "${idp.id}" (also /idps/${earlier})`,
      );
    }
    seen.set(idp.id, i);
    let url: URL | undefined;
    try {
      url = new URL(idp.issuer);
    } catch {
      url = undefined;
    }
    const secure = url?.protocol === 'https:' || (url?.protocol === 'http:' && LOOPBACK.test(url.hostname));
    if (!url || !secure || url.search !== '' || url.hash !== '' || url.username !== '') {
      throw new ConfigError(
        locate(['idps', String(i), 'issuer']),
        'must be an https URL without query or fragment (http only on a loopback host)',
      );
    }
  }
}

/**
 * Fills the defaults of one provider; `location` is where its entry is in the configuration.
 *
 * @example
 * normalizeIdp({ id: 'corp', issuer, clientId: 'app', acrMap: { mfa: 'aal2' } }, { path: '/idps/0' }).maxLevel; // 'aal2'
 */
export function normalizeIdp(input: IdpConfigInput, location: ConfigLocation): IdpSettings {
  const acrMap = { ...input.acrMap };
  const amrMap = { ...input.amrMap };
  const maxLevel = [...Object.values(acrMap), ...Object.values(amrMap)].reduce<Level>(
    (max, l) => (levelAtLeast(l, max) ? l : max),
    'aal1',
  );
  return {
    id: input.id,
    name: input.name ?? input.id,
    issuer: input.issuer,
    clientId: input.clientId,
    audiences: [...(input.audiences ?? [input.clientId])],
    acrMap,
    amrMap,
    methods: { ...input.methods },
    subjectClaim: input.subjectClaim ?? 'sub',
    scope: input.scope ?? 'openid',
    jwksCooldown: durationSeconds(input.jwksCooldown ?? 30),
    jwksMaxAge: durationSeconds(input.jwksMaxAge ?? '10m'),
    maxLevel,
    location,
  };
}
