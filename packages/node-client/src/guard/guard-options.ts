import type { Geo, Resource, Subject, Transaction } from '@stepgate/protocol';
import { DEFAULTS } from '../defaults.js';
import { StepgateClientError } from '../errors.js';
import { baseUrl, intOption } from '../options.js';
import { compileTrust, type TrustFunction, type TrustProxy } from './client-ip.js';
import {
  createSessionLevelReader,
  type SessionLevelReader,
  type SessionTokenOptions,
} from './session-level.js';

type MaybePromise<T> = T | Promise<T>;

/**
 * Options shared by every guard of one adapter (`stepgateExpress()`, the Fastify plugin, `stepgateFetch()`).
 * @example
 * const options: GuardOptions<express.Request> = {
 *   getSubject: (req) => (req.user ? { id: req.user.id, sessionId: req.sessionID, authTime: req.user.authTime, acr: 'aal1' } : null),
 *   trustProxy: ['loopback', '10.0.0.0/8'],
 *   geo: 'cdn',
 *   proxy: { prefix: '/stepgate', publicOrigin: 'https://bank.example' },
 *   onError: (error) => logger.warn({ err: error }, 'stepgate guard failed closed'),
 * };
 */
export interface GuardOptions<Req> {
  /**
   * The signed-in user, from the app's own session. `null`/`undefined` answers 401 `unauthorized`
   * without asking the service. `methods` lists what proved the session's `acr` (e.g. the
   * `values.method` of the `token_accepted` reason that raised it): only a session that names an
   * allowed method meets a policy with `require.methods` (S24).
   */
  getSubject: (req: Req) => MaybePromise<Subject | null | undefined>;
  /**
   * Proxies trusted to set `X-Forwarded-For`, `X-Forwarded-Proto`/`-Host` and CDN geo headers
   * (Express `trust proxy` semantics).
   * @defaultValue the framework's own setting: Express `app.set('trust proxy', …)`, Fastify
   * `Fastify({ trustProxy })`, so the guard uses the client `req.ip` / `request.ip` names; with
   * neither (and for the fetch adapter) `false` — the TCP peer is the client and forwarding headers
   * are ignored
   */
  trustProxy?: TrustProxy;
  /**
   * Where `context.geo` comes from: `'cdn'` reads Cloudflare, CloudFront, Vercel, App Engine, Fastly
   * and Akamai headers — only when the TCP peer is a trusted proxy; a function supplies it; `false`
   * sends none (the service may resolve the IP itself).
   * @defaultValue 'cdn'
   */
  geo?: 'cdn' | false | ((req: Req) => MaybePromise<Geo | undefined>);
  /**
   * The challenge proxy: `challengeUrl` in step-up answers points at `{publicOrigin}{prefix}/v1/challenges/{id}`
   * and the adapter's proxy handler serves that prefix. `false`: `challengeUrl` points at the service's
   * `publicServiceUrl` directly (the service must then face browsers, with CORS).
   * @defaultValue `{ prefix: '/stepgate' }`
   */
  proxy?: false | ProxyOptions;
  /** Called with any error a guard turned into a 5xx answer, for logging. */
  onError?: (error: unknown, req: Req) => void;
  /**
   * The newest token the app holds from its identity provider for this session — the ID token its
   * OIDC callback stored after a step-up at the provider, or the request's JWT access token — sent
   * as `idpToken`, the evidence of a step-up a provider performed (docs/idp.md). The service
   * verifies it against the provider's keys and maps its `acr`/`amr` with the operator's map.
   * @defaultValue none: only Stepgate's own tokens count
   */
  idpToken?: (req: Req) => MaybePromise<string | null | undefined>;
  /**
   * Read the session's level, `auth_time` and methods from the app's own token (its JWT access
   * token, or its session's ID token) instead of `getSubject()`'s `acr`, `authTime` and `methods`:
   * verified with jose against the provider's JWKS and mapped with the same `acrMap`/`amrMap`/
   * `methods` as the service's `idps` entry (docs/idp.md). A missing, invalid or foreign token
   * leaves an aal1 session without a known authentication time or method.
   * @defaultValue none: `getSubject()` asserts `acr`, `authTime` and `methods`
   */
  sessionToken?: SessionTokenOptions<Req>;
  /**
   * Called once, when the adapter is created, with each configuration that works but should not
   * go to production (today: a mounted proxy without `proxy.publicOrigin`).
   * @defaultValue a Node process warning (`process.emitWarning`, type `StepgateWarning`, code
   *   `STEPGATE_PROXY_PUBLIC_ORIGIN_UNSET`), which Node prints once to stderr
   */
  onWarning?: (warning: GuardWarning) => void;
}

/**
 * A configuration that works but should not reach production; see {@link GuardOptions.onWarning}.
 *
 * - `proxy_public_origin_unset`: the challenge proxy is mounted without `proxy.publicOrigin`, so
 *   `challengeUrl` is built from the request's `Host` header (refused when `NODE_ENV=production`).
 * @example
 * stepgateExpress(stepgate, { getSubject, onWarning: (w) => logger.warn({ code: w.code }, w.message) });
 */
export interface GuardWarning {
  readonly code: 'proxy_public_origin_unset';
  readonly message: string;
}

/**
 * Options of the challenge proxy.
 * @example
 * stepgateExpress(stepgate, { getSubject, proxy: { prefix: '/auth/step-up', publicOrigin: 'https://bank.example' } });
 */
export interface ProxyOptions {
  /** The path the proxy is mounted under. @defaultValue '/stepgate' */
  prefix?: string;
  /**
   * The app's origin as browsers see it, e.g. `https://bank.example`: `challengeUrl` in step-up answers
   * starts with it. **Required when `NODE_ENV=production`** (the adapter refuses to be created without
   * it): otherwise the origin is taken from the request's `Host` header (and `X-Forwarded-Proto`/`-Host`
   * from trusted proxies only), which the client chooses — a request with a forged `Host` (or a cache
   * that keys on the path alone) would point the widget, the user's codes and passkey answers at another
   * server. Outside production the fallback stays for local development, with one warning
   * ({@link GuardOptions.onWarning}).
   * @defaultValue none
   */
  publicOrigin?: string;
  /** Largest request body forwarded, in bytes. @defaultValue 65536 */
  bodyLimitBytes?: number;
}

/**
 * Options of one guarded route.
 * @example
 * sg.requireStepUp({
 *   action: 'payments.transfer',
 *   transaction: (req) => ({ amount: req.body.amount, currency: req.body.currency, payee: req.body.payee }),
 *   resource: (req) => ({ type: 'account', id: req.params.accountId }),
 * });
 */
export interface RouteOptions<Req> {
  /** The action name the policies match, e.g. `payments.transfer`. */
  action: string;
  /** Extracts what the user confirms (amount, currency, payee, …); bound to the upgraded token. */
  transaction?: (req: Req) => MaybePromise<Transaction | undefined>;
  /** Extracts the resource acted on. */
  resource?: (req: Req) => MaybePromise<Resource | undefined>;
}

/** {@link GuardOptions} after checks and defaults. */
export interface NormalizedGuardOptions<Req> {
  getSubject: (req: Req) => MaybePromise<Subject | null | undefined>;
  /** `undefined`: the framework's setting ({@link RequestView.trust}), else none. */
  trust: TrustFunction | undefined;
  geo: 'cdn' | false | ((req: Req) => MaybePromise<Geo | undefined>);
  proxy: false | { prefix: string; publicOrigin: string | undefined; bodyLimitBytes: number };
  onError: (error: unknown, req: Req) => void;
  idpToken: ((req: Req) => MaybePromise<string | null | undefined>) | undefined;
  sessionLevel: SessionLevelReader<Req> | undefined;
  onWarning: (warning: GuardWarning) => void;
}

function fail(message: string): never {
  throw new StepgateClientError('invalid_options', message);
}

/** Node's own warning channel: printed once to stderr, and observable with `process.on('warning')`. */
function emitWarning(warning: GuardWarning): void {
  const code = `STEPGATE_${warning.code.toUpperCase()}`;
  if (typeof globalThis.process?.emitWarning === 'function') {
    process.emitWarning(warning.message, { type: 'StepgateWarning', code });
  } else {
    console.warn(`StepgateWarning [${code}]: ${warning.message}`);
  }
}

/** True when the process runs as production (`NODE_ENV=production`, the convention Express and Fastify follow). */
const isProduction = () => globalThis.process?.env?.NODE_ENV === 'production';

/**
 * Checks guard options when the adapter is created.
 * @throws StepgateClientError `invalid_options`, also for a mounted proxy without `proxy.publicOrigin`
 *   when `NODE_ENV=production`.
 */
export function normalizeGuardOptions<Req>(options: GuardOptions<Req>): NormalizedGuardOptions<Req> {
  if (typeof options !== 'object' || options === null) fail('guard options must be an object');
  if (typeof options.getSubject !== 'function') fail('getSubject must be a function');
  const geo = options.geo ?? 'cdn';
  if (geo !== 'cdn' && geo !== false && typeof geo !== 'function')
    fail("geo must be 'cdn', false or a function");
  if (options.onError !== undefined && typeof options.onError !== 'function')
    fail('onError must be a function');
  if (options.idpToken !== undefined && typeof options.idpToken !== 'function')
    fail('idpToken must be a function');
  if (options.onWarning !== undefined && typeof options.onWarning !== 'function')
    fail('onWarning must be a function');
  let proxy: NormalizedGuardOptions<Req>['proxy'] = false;
  if (options.proxy !== false) {
    const p = options.proxy ?? {};
    const prefix = p.prefix ?? DEFAULTS.proxyPrefix;
    if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(prefix) || prefix.split('/').some((s) => s === '.' || s === '..')) {
      fail('proxy.prefix must be a path such as /stepgate, without a trailing slash');
    }
    const publicOrigin =
      p.publicOrigin === undefined ? undefined : baseUrl(p.publicOrigin, 'proxy.publicOrigin');
    if (publicOrigin !== undefined && new URL(publicOrigin).pathname !== '/') {
      fail('proxy.publicOrigin must be an origin without a path');
    }
    if (publicOrigin === undefined && isProduction()) {
      fail(
        "proxy.publicOrigin is required when NODE_ENV=production: without it challengeUrl would echo the request's Host header (set it to the origin browsers see, or proxy: false)",
      );
    }
    const bodyLimitBytes = intOption(
      p.bodyLimitBytes,
      'proxy.bodyLimitBytes',
      DEFAULTS.proxyBodyLimitBytes,
      1,
      10 * 1024 * 1024,
    );
    proxy = { prefix, publicOrigin, bodyLimitBytes };
  }
  return {
    getSubject: options.getSubject,
    trust: options.trustProxy === undefined ? undefined : compileTrust(options.trustProxy),
    geo,
    proxy,
    onError: options.onError ?? (() => {}),
    idpToken: options.idpToken,
    sessionLevel:
      options.sessionToken === undefined
        ? undefined
        : createSessionLevelReader(options.sessionToken, options.onError ?? (() => {})),
    onWarning: options.onWarning ?? emitWarning,
  };
}

/**
 * Checks a route's options when the guard is created.
 * @throws StepgateClientError `invalid_options`.
 */
export function checkRouteOptions<Req>(options: RouteOptions<Req>): RouteOptions<Req> {
  if (typeof options !== 'object' || options === null) fail('route options must be an object');
  if (typeof options.action !== 'string' || !/^[A-Za-z0-9_.:*-]{1,200}$/.test(options.action)) {
    fail('action must be a dotted name such as payments.transfer');
  }
  if (options.transaction !== undefined && typeof options.transaction !== 'function')
    fail('transaction must be a function');
  if (options.resource !== undefined && typeof options.resource !== 'function')
    fail('resource must be a function');
  return options;
}
