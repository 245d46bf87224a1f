/** Options shared by {@link createStepUpFetch} and `stepUpHooks`, checked once at creation. */
import type { ContextOptions } from '../context/collect-context.js';
import { normalizeAllowedOrigins } from './allowed-origins.js';

/** What a request matcher sees: a `Request`, or the same fields of one. */
export interface RequestLike {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
}

/**
 * Which requests are sensitive (get the context header and the step-up flow): a predicate, a
 * RegExp tested against the absolute URL, a URL prefix (resolved against the page), or a list.
 */
export type RequestMatcher =
  | ((request: RequestLike) => boolean)
  | RegExp
  | string
  | readonly RequestMatcher[];

/** Options of the step-up flow. */
export interface StepUpFlowOptions {
  /**
   * Which requests take part.
   * @defaultValue requests to the page's own origin
   */
  sensitive?: RequestMatcher | undefined;
  /**
   * Context collection for the `Step-Up-Context` header, or `false` to send no header.
   * @defaultValue `{ timeoutMs: 50 }` (all signals)
   */
  context?: ContextOptions | false | undefined;
  /**
   * Where the challenge proxy is mounted, used only when a step-up answer has the
   * `WWW-Authenticate` header but no JSON body: the challenge URL becomes
   * `{request origin}{challengePrefix}/v1/challenges/{id}`.
   * @defaultValue '/stepgate'
   */
  challengePrefix?: string | undefined;
  /**
   * Post `challenge_*` messages to the native side when running in a webview.
   * @defaultValue true
   */
  bridge?: boolean | undefined;
  /**
   * Origins besides the page's own that a step-up answer's `challengeUrl` may point at, such as
   * a decision service that faces browsers directly (`['https://auth.example.com']`). A
   * `challengeUrl` on any other origin is refused with `StepUpError` `origin_not_allowed` before
   * the handler runs, so nothing is sent there: the challenge id, the codes and the WebAuthn
   * responses would all go to that server.
   * @defaultValue `[]` — only the page's own origin (the challenge proxy node-client mounts)
   */
  allowedOrigins?: readonly string[] | undefined;
}

/** Options after defaults and checks. */
export interface NormalizedFlowOptions {
  isSensitive: (request: RequestLike) => boolean;
  context: ContextOptions | false;
  challengePrefix: string;
  bridge: boolean;
  allowedOrigins: readonly string[];
}

function pageOrigin(): string | undefined {
  return typeof location === 'undefined' ? undefined : location.origin;
}

function compile(matcher: RequestMatcher): (request: RequestLike) => boolean {
  if (typeof matcher === 'function') return matcher as (request: RequestLike) => boolean;
  if (matcher instanceof RegExp) return (request) => matcher.test(request.url);
  if (typeof matcher === 'string') {
    const prefix = new URL(matcher, pageOrigin() ?? undefined).href;
    return (request) => request.url.startsWith(prefix);
  }
  if (Array.isArray(matcher)) {
    const parts = matcher.map(compile);
    return (request) => parts.some((part) => part(request));
  }
  throw new TypeError('sensitive must be a function, a RegExp, a URL prefix or a list of them');
}

const sameOrigin = (request: RequestLike) => {
  try {
    return new URL(request.url).origin === pageOrigin();
  } catch {
    return false;
  }
};

/**
 * Applies defaults and checks the options.
 *
 * @throws TypeError for a malformed `sensitive`, `context.timeoutMs`, `challengePrefix` or `allowedOrigins`.
 */
export function normalizeFlowOptions(options: StepUpFlowOptions = {}): NormalizedFlowOptions {
  const context = options.context ?? {};
  if (context !== false && context.timeoutMs !== undefined && !(context.timeoutMs >= 0)) {
    throw new TypeError('context.timeoutMs must be a number ≥ 0 or Infinity');
  }
  const challengePrefix = options.challengePrefix ?? '/stepgate';
  if (!challengePrefix.startsWith('/') || challengePrefix.endsWith('/')) {
    throw new TypeError('challengePrefix must start with "/" and not end with "/"');
  }
  return {
    isSensitive: options.sensitive === undefined ? sameOrigin : compile(options.sensitive),
    context,
    challengePrefix,
    bridge: options.bridge !== false,
    allowedOrigins: normalizeAllowedOrigins(options.allowedOrigins),
  };
}
