/**
 * Readers for the step-up dialects met in the wild, each mapping a challenge or a JSON body to
 * the fields of a parsed step-up challenge. They never throw; `undefined` means "not this dialect".
 */
import { decodeBase64Url } from './base64url.js';
import { decodeUtf8, isNonNegativeInteger, isRecord, isShortString, parseJson } from './guards.js';
import { isMethod } from './levels.js';
import { isPerformer } from './performers.js';
import type { ProviderAuthorizationParams, ProviderStepUp, StepUpInfo } from './types.js';

/**
 * Reads our `stepUp` body member (`StepUpInfo`); `undefined` when it is not of that shape or its
 * `challengeUrl` is not an absolute http(s) URL. Unknown methods are dropped (a newer service may
 * add some). Never throws.
 *
 * @example
 * readStepUpInfo((await response.json()).stepUp)?.challengeUrl;
 */
export function readStepUpInfo(value: unknown): StepUpInfo | undefined {
  if (!isRecord(value)) return undefined;
  const { challengeId, challengeUrl, acr, maxAge, methods, expiresAt } = value;
  if (!isShortString(challengeId, 256) || !isShortString(challengeUrl, 2048) || !isShortString(acr, 256)) {
    return undefined;
  }
  if (!isShortString(expiresAt, 64) || !Array.isArray(methods)) return undefined;
  if (maxAge !== undefined && !isNonNegativeInteger(maxAge)) return undefined;
  if (!isAbsoluteUrl(challengeUrl)) return undefined;
  const info: StepUpInfo = { challengeId, challengeUrl, acr, methods: methods.filter(isMethod), expiresAt };
  if (maxAge !== undefined) info.maxAge = maxAge;
  const providers = readProviderStepUps(value.providers);
  if (providers !== undefined) info.providers = providers;
  return info;
}

const PARAM_NAMES = [
  'client_id',
  'response_type',
  'scope',
  'acr_values',
  'max_age',
  'prompt',
  'claims',
  'nonce',
] as const satisfies readonly (keyof ProviderAuthorizationParams)[];

function readProvider(value: unknown): ProviderStepUp | undefined {
  if (!isRecord(value) || !isRecord(value.params)) return undefined;
  const { performer, name, issuer, authorizationEndpoint, expiresAt } = value;
  if (!isPerformer(performer) || performer === 'stepgate' || !isShortString(name, 128)) return undefined;
  if (!isShortString(issuer, 2048) || !isShortString(expiresAt, 64)) return undefined;
  if (!isShortString(authorizationEndpoint, 2048) || !isAbsoluteUrl(authorizationEndpoint)) return undefined;
  const params: Record<string, string> = {};
  for (const key of PARAM_NAMES) {
    const v = value.params[key];
    if (v === undefined) continue;
    if (!isShortString(v, 2048)) return undefined;
    params[key] = v;
  }
  const p = params as Partial<ProviderAuthorizationParams>;
  if (!p.client_id || !p.response_type || !p.scope || !p.acr_values || !p.claims || !p.nonce)
    return undefined;
  return {
    performer: performer as `idp:${string}`,
    name,
    issuer,
    authorizationEndpoint,
    params: p as ProviderAuthorizationParams,
    expiresAt,
  };
}

/**
 * Reads the identity providers of a step-up answer (`providers` of the body, or of its `stepUp`
 * member): only well-formed entries with an absolute http(s) authorization endpoint are kept, and
 * only the known authorization parameters; `undefined` when none is left. Never throws.
 *
 * @example
 * readProviderStepUps((await response.json()).providers)?.[0]?.authorizationEndpoint;
 */
export function readProviderStepUps(value: unknown): ProviderStepUp[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const providers = value
    .slice(0, 32)
    .map(readProvider)
    .filter((p) => p !== undefined);
  return providers.length > 0 ? providers : undefined;
}

function isAbsoluteUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** `acr_values`: a space-separated list in order of preference (RFC 9470 §3). */
export function splitAcrValues(value: string | undefined): string[] {
  return value === undefined ? [] : value.split(/[ \t]+/).filter((v) => v !== '');
}

/** `max_age`: a non-negative integer number of seconds; `undefined` when absent or malformed. */
export function readMaxAge(value: string | undefined): number | undefined {
  if (value === undefined || !/^[0-9]{1,15}$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/**
 * Entra ID `claims` parameter: base64 (or, from some services, raw) JSON such as
 * `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`. Returns the decoded JSON and the
 * authentication-context ids it asks for.
 */
export function readEntraClaims(value: string | undefined): { claims?: unknown; acrValues: string[] } {
  if (value === undefined) return { acrValues: [] };
  const bytes = decodeBase64Url(value.trim());
  const text = bytes === null ? value : decodeUtf8(bytes);
  const claims = text === null ? undefined : parseJson(text);
  if (!isRecord(claims)) return { acrValues: [] };
  const access = claims.access_token;
  const acrs = isRecord(access) ? access.acrs : undefined;
  const acrValues: string[] = [];
  if (isRecord(acrs)) {
    if (Array.isArray(acrs.values)) for (const v of acrs.values) if (typeof v === 'string') acrValues.push(v);
    if (typeof acrs.value === 'string') acrValues.push(acrs.value);
  }
  return { claims, acrValues };
}

/** The string members of a JSON object, for `raw`. */
function stringMembers(value: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

/** Auth0's `mfa_required` token-endpoint body: `{ error, error_description, mfa_token }`. */
export function readAuth0Body(body: unknown): { raw: Record<string, string> } | undefined {
  if (!isRecord(body) || body.error !== 'mfa_required') return undefined;
  return { raw: stringMembers(body) };
}

/**
 * Clerk's reverification hint (`reverificationError()`, status 403):
 * `{ clerk_error: { type: 'forbidden', reason: 'reverification-error', metadata: { reverification } } }`,
 * where `reverification` is a preset name or `{ level, afterMinutes }`.
 */
export function readClerkBody(body: unknown): { maxAge?: number; raw: Record<string, string> } | undefined {
  if (!isRecord(body) || !isRecord(body.clerk_error)) return undefined;
  const { type, reason, metadata } = body.clerk_error;
  // 'reverification-mismatch' is what Clerk's SDKs sent before they renamed it.
  if (type !== 'forbidden' || (reason !== 'reverification-error' && reason !== 'reverification-mismatch')) {
    return undefined;
  }
  const raw: Record<string, string> = { type, reason };
  let config = isRecord(metadata) ? metadata.reverification : undefined;
  if (typeof config === 'string' && config.length <= 64) {
    raw.preset = config;
    config = Object.hasOwn(CLERK_PRESETS, config)
      ? CLERK_PRESETS[config as keyof typeof CLERK_PRESETS]
      : undefined;
  }
  if (!isRecord(config)) return { raw };
  const { level, afterMinutes } = config;
  if (typeof level === 'string' && level.length <= 64) raw.level = level;
  if (!isNonNegativeInteger(afterMinutes)) return { raw };
  raw.afterMinutes = String(afterMinutes);
  return { maxAge: afterMinutes * 60, raw };
}

/**
 * Clerk's reverification presets (Clerk docs, "Add reverification for sensitive actions").
 *
 * @example
 * CLERK_PRESETS.strict.afterMinutes; // 10
 */
export const CLERK_PRESETS = {
  strict_mfa: { level: 'multi_factor', afterMinutes: 10 },
  strict: { level: 'second_factor', afterMinutes: 10 },
  moderate: { level: 'second_factor', afterMinutes: 60 },
  lax: { level: 'second_factor', afterMinutes: 1440 },
} as const;
