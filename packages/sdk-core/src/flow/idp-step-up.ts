/**
 * Step-ups an identity provider performs (docs/idp.md): the user is sent to the provider with the
 * authorization parameters of the step-up answer, signs in at the required `acr`, and comes back to
 * the app's redirect URI. The page is gone by then, so the original request is kept in
 * `sessionStorage` under a one-time `state` value (RFC 6749 §10.12) and replayed by
 * {@link completeIdpStepUp} on the return page, once the app's backend has exchanged the code.
 */
import { decodeBase64Url, encodeBase64Url, HEADERS, type ProviderStepUp } from '@stepgate/protocol';
import { getContextHeader } from '../context/context-header.js';
import { StepUpCancelledError, StepUpError } from '../errors.js';
import type { IdpStepUpHandler } from './handlers.js';

/** The `sessionStorage` key prefix of a step-up in progress (one entry per `state`). */
export const IDP_STATE_PREFIX = 'stepgate:idp-step-up:';

/** Options of {@link createIdpRedirectHandler}. */
export interface IdpRedirectOptions {
  /**
   * The app's redirect URI registered at the provider: the page that calls
   * {@link completeIdpStepUp}. Absolute, or relative to the page.
   */
  redirectUri: string;
  /** Picks the provider when several are offered. @defaultValue the first */
  choose?: ((providers: readonly ProviderStepUp[]) => ProviderStepUp | undefined) | undefined;
  /** Add PKCE (RFC 7636, S256) to the authorization request. @defaultValue true */
  pkce?: boolean | undefined;
  /** How the page leaves for the provider. @defaultValue `(url) => location.assign(url)` */
  navigate?: ((url: string) => void) | undefined;
}

/** What the return page hands the app's backend to finish the sign-in at the provider. */
export interface IdpCallback {
  /** The authorization code to exchange at the provider's token endpoint. */
  code: string;
  /** The redirect URI of the authorization request (the token request repeats it). */
  redirectUri: string;
  /** The PKCE verifier, when the request used PKCE. */
  codeVerifier?: string;
  /** The nonce the ID token must carry (OIDC Core §3.1.3.7): the step-up answer's. */
  nonce: string;
  /** `idp:<id>` and the issuer the user was sent to. */
  performer: string;
  issuer: string;
}

/** Options of {@link completeIdpStepUp}. */
export interface CompleteIdpStepUpOptions {
  /**
   * Finishes the sign-in on the app's backend: exchanges the code for tokens and keeps the new ID
   * token in the session, where the guard's `idpToken` option reads it (never in the page).
   */
  exchange: (callback: IdpCallback) => Promise<void>;
  /** The `fetch` that replays the request. @defaultValue `globalThis.fetch` */
  fetch?: typeof fetch | undefined;
  /** Adjusts the replayed request (for example, to add the app's own `Authorization`). */
  beforeRetry?: ((request: Request) => Request | Promise<Request>) | undefined;
  /** The return URL to read. @defaultValue `location.href` */
  url?: string | undefined;
  /** How long a kept request stays valid, ms. @defaultValue 600000 (10 minutes) */
  maxAgeMs?: number | undefined;
}

/** What {@link completeIdpStepUp} resolves with. */
export interface IdpStepUpResult {
  /** The answer to the replayed original request. */
  response: Response;
  /** The page the step-up started on. */
  returnTo: string;
}

/** A kept request: what is needed to send it again. */
interface KeptStepUp {
  v: 1;
  performer: string;
  issuer: string;
  nonce: string;
  redirectUri: string;
  codeVerifier?: string;
  createdAt: number;
  returnTo: string;
  request: { url: string; method: string; headers: [string, string][]; body?: string };
}

/** Headers never kept: credentials, and the step-up's own (they are made again on replay). */
const NOT_KEPT = new Set([
  'authorization',
  'cookie',
  HEADERS.token.toLowerCase(),
  HEADERS.context.toLowerCase(),
]);

const randomValue = (bytes = 32) => encodeBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));

async function s256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return encodeBase64Url(new Uint8Array(digest));
}

async function keep(request: Request): Promise<KeptStepUp['request']> {
  const headers = [...request.headers].filter(([name]) => !NOT_KEPT.has(name.toLowerCase()));
  const kept: KeptStepUp['request'] = { url: request.url, method: request.method, headers };
  if (request.body !== null) kept.body = encodeBase64Url(new Uint8Array(await request.clone().arrayBuffer()));
  return kept;
}

/**
 * Sends the user to `provider` for the step-up, keeping `request` to replay on return. Never
 * settles: the page is leaving.
 *
 * @throws StepUpError `unsupported` without `sessionStorage` (nothing would survive the navigation).
 */
export async function startIdpStepUp(
  provider: ProviderStepUp,
  request: Request,
  options: IdpRedirectOptions,
): Promise<never> {
  if (typeof sessionStorage === 'undefined') {
    throw new StepUpError('unsupported', 'An identity-provider step-up needs sessionStorage.');
  }
  const redirectUri = new URL(options.redirectUri, globalThis.location?.href).href;
  const state = randomValue();
  const url = new URL(provider.authorizationEndpoint);
  for (const [name, value] of Object.entries(provider.params))
    if (value !== undefined) url.searchParams.set(name, value);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('state', state);
  const kept: KeptStepUp = {
    v: 1,
    performer: provider.performer,
    issuer: provider.issuer,
    nonce: provider.params.nonce,
    redirectUri,
    createdAt: Date.now(),
    returnTo: globalThis.location?.href ?? '',
    request: await keep(request),
  };
  if (options.pkce !== false) {
    kept.codeVerifier = randomValue();
    url.searchParams.set('code_challenge', await s256(kept.codeVerifier));
    url.searchParams.set('code_challenge_method', 'S256');
  }
  sessionStorage.setItem(`${IDP_STATE_PREFIX}${state}`, JSON.stringify(kept));
  (options.navigate ?? ((href: string) => location.assign(href)))(url.href);
  return new Promise<never>(() => {});
}

/**
 * The ready handler for identity-provider performers: a full-page redirect to the chosen
 * provider. Register it with `setIdpStepUpHandler`; the return page calls {@link completeIdpStepUp}.
 *
 * @throws TypeError at creation for a missing `redirectUri`.
 * @example
 * setIdpStepUpHandler(createIdpRedirectHandler({ redirectUri: '/step-up/callback' }));
 */
export function createIdpRedirectHandler(options: IdpRedirectOptions): IdpStepUpHandler {
  if (typeof options?.redirectUri !== 'string' || options.redirectUri === '') {
    throw new TypeError('redirectUri must be the URL the provider returns to');
  }
  return async (providers, { request }) => {
    const provider = (options.choose ?? ((list) => list[0]))(providers);
    if (!provider) throw new StepUpError('failed', 'No identity provider was chosen.');
    return startIdpStepUp(provider, request, options);
  };
}

/**
 * On the app's redirect URI: checks the one-time `state`, hands the code to the app's backend
 * (`exchange`), removes `code` and `state` from the address bar, and replays the original request
 * with a fresh `Step-Up-Context`. The kept request is deleted first, whatever happens next.
 *
 * @throws StepUpError `failed` for an unknown, used or stale `state`, or a provider error;
 *   StepUpCancelledError when the user declined at the provider (`access_denied`).
 * @example
 * const { response, returnTo } = await completeIdpStepUp({
 *   exchange: (cb) => fetch('/auth/step-up/exchange', { method: 'POST', body: JSON.stringify(cb) }).then(() => {}),
 * });
 */
export async function completeIdpStepUp(options: CompleteIdpStepUpOptions): Promise<IdpStepUpResult> {
  const here = new URL(options.url ?? location.href);
  // A copy: the address bar is cleaned below, before these are read.
  const params = new URLSearchParams(here.search);
  const state = params.get('state') ?? '';
  const key = `${IDP_STATE_PREFIX}${state}`;
  const text = state === '' ? null : sessionStorage.getItem(key);
  sessionStorage.removeItem(key);
  if (options.url === undefined && typeof history !== 'undefined') {
    for (const name of ['code', 'state', 'error', 'error_description', 'iss', 'session_state'])
      here.searchParams.delete(name);
    history.replaceState(history.state, '', here.href);
  }
  let kept: KeptStepUp;
  try {
    kept = JSON.parse(text ?? 'null') as KeptStepUp;
  } catch {
    kept = null as unknown as KeptStepUp;
  }
  if (kept?.v !== 1)
    throw new StepUpError('failed', 'No step-up is waiting for this state (unknown or already used).');
  if (Date.now() - kept.createdAt > (options.maxAgeMs ?? 600_000)) {
    throw new StepUpError('failed', 'The step-up at the identity provider took too long.');
  }
  const error = params.get('error');
  if (error === 'access_denied')
    throw new StepUpCancelledError('The user declined at the identity provider.');
  if (error !== null) throw new StepUpError('failed', `The identity provider answered ${error}.`);
  // RFC 9207: when the provider names itself, it must be the one the user was sent to.
  const iss = params.get('iss');
  if (iss !== null && iss !== kept.issuer)
    throw new StepUpError('failed', 'The answer came from another issuer.');
  const code = params.get('code');
  if (!code) throw new StepUpError('failed', 'The identity provider answered without a code.');
  await options.exchange({
    code,
    redirectUri: kept.redirectUri,
    nonce: kept.nonce,
    performer: kept.performer,
    issuer: kept.issuer,
    ...(kept.codeVerifier === undefined ? {} : { codeVerifier: kept.codeVerifier }),
  });
  const headers = new Headers(kept.request.headers);
  headers.set(HEADERS.context, await getContextHeader());
  const body =
    kept.request.body === undefined ? undefined : (decodeBase64Url(kept.request.body) ?? undefined);
  let request = new Request(kept.request.url, {
    method: kept.request.method,
    headers,
    ...(body === undefined ? {} : { body: body as Uint8Array<ArrayBuffer> }),
  });
  if (options.beforeRetry) request = await options.beforeRetry(request);
  const response = await (options.fetch ?? ((r: Request) => globalThis.fetch(r)))(request);
  return { response, returnTo: kept.returnTo };
}
