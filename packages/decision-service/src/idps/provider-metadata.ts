/**
 * OpenID Connect Discovery 1.0 of a configured identity provider, at start: its authorization
 * endpoint, JWKS URI and signing algorithms. Any problem is a ConfigError at the provider's entry.
 */
import { ConfigError } from '../config/config-error.js';
import type { IdpSettings } from '../config/idps-config.js';

/** What Stepgate uses from a provider's discovery document. */
export interface ProviderMetadata {
  authorizationEndpoint: string;
  jwksUri: string;
  /** Signing algorithms of its tokens, without `none` and HS* (RFC 8725 §3.1: never a MAC with a public key). */
  algorithms: string[];
  /** `acr_values_supported`, when published. */
  acrValuesSupported?: string[];
}

/** How long discovery may take, ms. */
export const DISCOVERY_TIMEOUT_MS = 5000;

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

function endpoint(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname));
    return secure && url.hash === '' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;

/**
 * Fetches and checks `{issuer}/.well-known/openid-configuration` (OpenID Connect Discovery §4):
 * the document's `issuer` must equal the configured one exactly (§4.3), its endpoints must be
 * https (http only on loopback), and it must publish at least one asymmetric signing algorithm.
 *
 * @throws ConfigError located at the provider's `issuer` entry.
 * @example
 * const meta = await discoverProvider(config.idps[0]);
 */
export async function discoverProvider(
  idp: IdpSettings,
  fetchImpl: typeof fetch = fetch,
): Promise<ProviderMetadata> {
  const url = `${idp.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const fail = (problem: string, cause?: unknown): never => {
    throw new ConfigError(idp.location, `identity provider "${idp.id}": ${problem}`, { cause });
  };
  let doc: unknown;
  try {
    const res = await fetchImpl(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
      redirect: 'error',
    });
    if (!res.ok) fail(`discovery at ${url} answered ${res.status}`);
    doc = await res.json();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    fail(`discovery at ${url} failed (${error instanceof Error ? error.message : String(error)})`, error);
  }
  if (typeof doc !== 'object' || doc === null) return fail(`discovery at ${url} is not a JSON object`);
  const d = doc as Record<string, unknown>;
  if (d.issuer !== idp.issuer) {
    fail(
      `the discovery document names issuer ${JSON.stringify(d.issuer)}, not ${idp.issuer} (OIDC Discovery §4.3)`,
    );
  }
  const authorizationEndpoint = endpoint(d.authorization_endpoint);
  if (!authorizationEndpoint) fail('the discovery document has no usable authorization_endpoint');
  const jwksUri = endpoint(d.jwks_uri);
  if (!jwksUri) fail('the discovery document has no usable jwks_uri');
  const published = strings(d.id_token_signing_alg_values_supported) ?? [];
  const algorithms = published.filter((alg) => alg !== 'none' && !/^HS/i.test(alg));
  if (algorithms.length === 0) {
    fail(
      `publishes no asymmetric signing algorithm (id_token_signing_alg_values_supported: ${published.join(', ') || 'none'})`,
    );
  }
  const meta: ProviderMetadata = {
    authorizationEndpoint: authorizationEndpoint!,
    jwksUri: jwksUri!,
    algorithms,
  };
  const acr = strings(d.acr_values_supported);
  if (acr) meta.acrValuesSupported = acr;
  return meta;
}
