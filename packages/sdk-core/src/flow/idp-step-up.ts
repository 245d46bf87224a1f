/**
 * Step-ups an identity provider performs (docs/idp.md): the user is sent to the provider with the
 * authorization parameters of the step-up answer, signs in at the required `acr`, and comes back to
 * the app's redirect URI. The page is gone by then, so the original request is kept in
 * `sessionStorage` under a one-time `state` value (RFC 6749 §10.12) and replayed by
 * {@link completeIdpStepUp} on the return page, once the app's backend has exchanged the code.
 */
import { decodeBase64Url, encodeBase64Url, HEADERS, type ProviderStepUp } from '@stepgate/protocol';
import { getContextHeader } from '../context/context-header.js';
import { STEP_UP_ERROR_CODES, StepUpCancelledError, StepUpError } from '../errors.js';
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
  const authorization = await authorizationRequest(provider, options);
  const kept: KeptStepUp = {
    v: 1,
    ...authorization.pending,
    returnTo: globalThis.location?.href ?? '',
    request: await keep(request),
  };
  sessionStorage.setItem(`${IDP_STATE_PREFIX}${authorization.state}`, JSON.stringify(kept));
  (options.navigate ?? ((href: string) => location.assign(href)))(authorization.url);
  return new Promise<never>(() => {});
}

/** What is kept of an authorization request until the provider answers. */
type PendingAnswer = Pick<
  KeptStepUp,
  'performer' | 'issuer' | 'nonce' | 'redirectUri' | 'codeVerifier' | 'createdAt'
>;

/**
 * The authorization request to `provider` (OIDC Core §3.1.2.1): the step-up answer's parameters,
 * plus `redirect_uri`, a one-time `state` (RFC 6749 §10.12) and PKCE (RFC 7636, S256).
 */
async function authorizationRequest(
  provider: ProviderStepUp,
  options: { redirectUri: string; pkce?: boolean | undefined },
): Promise<{ url: string; state: string; pending: PendingAnswer }> {
  const redirectUri = new URL(options.redirectUri, globalThis.location?.href).href;
  const state = randomValue();
  const url = new URL(provider.authorizationEndpoint);
  for (const [name, value] of Object.entries(provider.params))
    if (value !== undefined) url.searchParams.set(name, value);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('state', state);
  const pending: PendingAnswer = {
    performer: provider.performer,
    issuer: provider.issuer,
    nonce: provider.params.nonce,
    redirectUri,
    createdAt: Date.now(),
  };
  if (options.pkce !== false) {
    pending.codeVerifier = randomValue();
    url.searchParams.set('code_challenge', await s256(pending.codeVerifier));
    url.searchParams.set('code_challenge_method', 'S256');
  }
  return { url: url.href, state, pending };
}

/**
 * Reads the provider's answer on the redirect URI (RFC 6749 §4.1.2, RFC 9207) into what the app's
 * backend needs to finish the sign-in.
 *
 * @throws StepUpError `failed` for a stale request, a provider error, another issuer or no code;
 *   StepUpCancelledError when the user declined (`access_denied`).
 */
function providerAnswer(params: URLSearchParams, pending: PendingAnswer, maxAgeMs: number): IdpCallback {
  if (Date.now() - pending.createdAt > maxAgeMs) {
    throw new StepUpError('failed', 'The step-up at the identity provider took too long.');
  }
  const error = params.get('error');
  if (error === 'access_denied')
    throw new StepUpCancelledError('The user declined at the identity provider.');
  if (error !== null) throw new StepUpError('failed', `The identity provider answered ${error}.`);
  // RFC 9207: when the provider names itself, it must be the one the user was sent to.
  const iss = params.get('iss');
  if (iss !== null && iss !== pending.issuer)
    throw new StepUpError('failed', 'The answer came from another issuer.');
  const code = params.get('code');
  if (!code) throw new StepUpError('failed', 'The identity provider answered without a code.');
  return {
    code,
    redirectUri: pending.redirectUri,
    nonce: pending.nonce,
    performer: pending.performer,
    issuer: pending.issuer,
    ...(pending.codeVerifier === undefined ? {} : { codeVerifier: pending.codeVerifier }),
  };
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
  await options.exchange(providerAnswer(params, kept, options.maxAgeMs ?? 600_000));
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

/** The `BroadcastChannel` on which a popup's return page hands the provider's answer to the opener. */
export const IDP_POPUP_CHANNEL = 'stepgate:idp-popup';

/** Options of {@link createIdpPopupHandler}. */
export interface IdpPopupOptions {
  /**
   * The app's redirect URI registered at the provider: a page of the app's origin that calls
   * {@link completeIdpPopup}. Absolute, or relative to the page.
   */
  redirectUri: string;
  /**
   * Finishes the sign-in on the app's backend, as for {@link completeIdpStepUp}: exchanges the code
   * and keeps the new ID token in the session. The flow retries the request once it resolves.
   */
  exchange: (callback: IdpCallback) => Promise<void>;
  /** Picks the provider when several are offered. @defaultValue the first */
  choose?: ((providers: readonly ProviderStepUp[]) => ProviderStepUp | undefined) | undefined;
  /** Add PKCE (RFC 7636, S256) to the authorization request. @defaultValue true */
  pkce?: boolean | undefined;
  /** The popup's `window.open` features. @defaultValue `'popup,width=520,height=680'` */
  features?: string | undefined;
  /**
   * When the browser blocks the popup (it opens only shortly after a click, such as the widget's
   * "Continue with …" button): `'redirect'` goes to the provider with a full-page redirect instead
   * (the return page must then also call {@link completeIdpStepUp}); `'error'` rejects with
   * StepUpError `unsupported`. @defaultValue 'redirect'
   */
  onBlocked?: 'redirect' | 'error' | undefined;
  /** How the page leaves for the provider in the redirect fallback. @defaultValue `(url) => location.assign(url)` */
  navigate?: ((url: string) => void) | undefined;
  /** How long the user has at the provider, ms. @defaultValue 600000 (10 minutes) */
  maxAgeMs?: number | undefined;
}

/** What a popup's return page posts on {@link IDP_POPUP_CHANNEL}. */
interface PopupAnswer {
  type: 'stepgate:idp-answer';
  state: string;
  search: string;
}

/**
 * The ready handler for identity-provider performers in a popup: the page stays where it is, the
 * user signs in at the provider in a popup window, and the popup's return page (which calls
 * {@link completeIdpPopup}) hands the answer back over a same-origin `BroadcastChannel`. The
 * handler checks the one-time `state` and the issuer, runs `exchange` on the app's backend, and
 * resolves: the flow then retries the original request, as it would after a dialog.
 *
 * Browsers open popups only shortly after a click: from the widget's "Continue with …" button it
 * just works; when a blocked popup is expected, the handler falls back to a full-page redirect
 * (`onBlocked`).
 *
 * @throws TypeError at creation for a missing `redirectUri` or `exchange`.
 * @throws StepUpCancelledError from the handler when the user closes the popup or declines at the
 *   provider; StepUpError `aborted` when the request's signal fires (the popup is closed).
 * @example
 * setIdpStepUpHandler(
 *   createIdpPopupHandler({
 *     redirectUri: '/step-up/popup-callback',
 *     exchange: (cb) => fetch('/auth/step-up/exchange', { method: 'POST', body: JSON.stringify(cb) }).then(() => {}),
 *   }),
 * );
 */
export function createIdpPopupHandler(options: IdpPopupOptions): IdpStepUpHandler {
  if (typeof options?.redirectUri !== 'string' || options.redirectUri === '') {
    throw new TypeError('redirectUri must be the URL the provider returns to');
  }
  if (typeof options.exchange !== 'function') {
    throw new TypeError('exchange must finish the sign-in on the app’s backend');
  }
  return async (providers, { request, signal }) => {
    const provider = (options.choose ?? ((list) => list[0]))(providers);
    if (!provider) throw new StepUpError('failed', 'No identity provider was chosen.');
    // Open the window before anything asynchronous: the click's user activation allows it now.
    const popup = globalThis.open?.('', '_blank', options.features ?? 'popup,width=520,height=680');
    if (!popup) {
      if (options.onBlocked === 'error') {
        throw new StepUpError('unsupported', 'The browser blocked the identity provider’s popup.');
      }
      return startIdpStepUp(provider, request, options);
    }
    const authorization = await authorizationRequest(provider, options);
    const search = await new Promise<string>((resolve, reject) => {
      const channel = new BroadcastChannel(IDP_POPUP_CHANNEL);
      const finish = (error: unknown, value?: string) => {
        channel.close();
        clearInterval(closedPoll);
        signal.removeEventListener('abort', aborted);
        if (!popup.closed) popup.close();
        if (error === undefined) resolve(value!);
        else reject(error);
      };
      const aborted = () =>
        finish(new StepUpError('aborted', STEP_UP_ERROR_CODES.aborted, { cause: signal.reason }));
      channel.onmessage = (event: MessageEvent<PopupAnswer>) => {
        // Same-origin only (BroadcastChannel); other step-ups' answers carry other states.
        if (event.data?.type === 'stepgate:idp-answer' && event.data.state === authorization.state)
          finish(undefined, event.data.search);
      };
      // A popup the user closed is a cancel; the return page posts before it closes itself.
      let closedFor = 0;
      const closedPoll = setInterval(() => {
        closedFor = popup.closed ? closedFor + 1 : 0;
        if (closedFor >= 3)
          finish(new StepUpCancelledError('The user closed the identity provider’s window.'));
      }, 250);
      if (signal.aborted) return aborted();
      signal.addEventListener('abort', aborted, { once: true });
      popup.location.href = authorization.url;
    });
    await options.exchange(
      providerAnswer(new URLSearchParams(search), authorization.pending, options.maxAgeMs ?? 600_000),
    );
  };
}

/**
 * On the popup's redirect URI: hands the provider's answer (`code`, `state`, `iss` or `error`) to
 * the page that opened the popup, and closes the window. Nothing is exchanged here: the opener
 * checks the state and runs `exchange`.
 *
 * @returns true when the answer was handed over (the page may show "you can close this window"),
 *   false when this page has no `state` to hand over (opened directly), or when it is the return
 *   of a full-page redirect (a blocked popup's fallback): then call {@link completeIdpStepUp}.
 * @example
 * // the redirect URI's page, for both the popup and its redirect fallback
 * if (!completeIdpPopup()) await completeIdpStepUp({ exchange });
 */
export function completeIdpPopup(url: string = location.href): boolean {
  const search = new URL(url).search;
  const state = new URLSearchParams(search).get('state');
  // A full-page redirect (a popup the browser blocked) keeps its request here: not a popup's.
  if (!state || globalThis.sessionStorage?.getItem(`${IDP_STATE_PREFIX}${state}`) != null) return false;
  const channel = new BroadcastChannel(IDP_POPUP_CHANNEL);
  channel.postMessage({ type: 'stepgate:idp-answer', state, search } satisfies PopupAnswer);
  channel.close();
  if (url === location.href) globalThis.close();
  return true;
}
