/**
 * The step-up flow as a `fetch` wrapper (no ky involved): context header on sensitive
 * requests, one handler run per step-up answer, one retry with `Step-Up-Token`.
 */
import { HEADERS } from '@stepgate/protocol';
import { getContextHeader } from '../context/context-header.js';
import { detectStepUp } from './detect-step-up.js';
import { getForeignStepUpHandler, getIdpStepUpHandler } from './handlers.js';
import { type NormalizedFlowOptions, normalizeFlowOptions, type StepUpFlowOptions } from './options.js';
import { requestStepUp } from './step-up-queue.js';

/** Options of {@link createStepUpFetch}. */
export interface StepUpFetchOptions extends StepUpFlowOptions {
  /**
   * The `fetch` to wrap (looked up on each call by default, so test mocks and polyfills apply).
   * @defaultValue `globalThis.fetch`
   */
  fetch?: typeof fetch | undefined;
}

/** A sensitive request, its body read once so it can be sent twice. */
interface Prepared {
  template: Request;
  body: ArrayBuffer | undefined;
}

async function prepare(input: RequestInfo | URL, init: RequestInit | undefined): Promise<Prepared> {
  let requestInit = init;
  // A streamed upload cannot be replayed (and needs HTTP/2 in Chromium): buffer it first.
  if (init?.body instanceof ReadableStream) {
    requestInit = { ...init, body: await new Response(init.body).arrayBuffer() };
  }
  const template = new Request(input, requestInit);
  const body = template.body ? await template.clone().arrayBuffer() : undefined;
  return { template, body };
}

function build(prepared: Prepared, headers: Headers): Request {
  return new Request(
    prepared.template,
    prepared.body === undefined ? { headers } : { headers, body: prepared.body },
  );
}

async function withContext(headers: Headers, options: NormalizedFlowOptions): Promise<Headers> {
  if (options.context !== false) headers.set(HEADERS.context, await getContextHeader(options.context));
  return headers;
}

function requestLike(input: RequestInfo | URL, init: RequestInit | undefined) {
  const request = input instanceof Request ? input : undefined;
  return {
    url: request ? request.url : new URL(String(input), globalThis.location?.href).href,
    method: (init?.method ?? request?.method ?? 'GET').toUpperCase(),
    headers: new Headers(init?.headers ?? request?.headers),
  };
}

/**
 * Wraps `fetch` with the step-up flow. For a sensitive request it adds the
 * `Step-Up-Context` header; on a Stepgate step-up answer it runs the registered handler
 * (queued, shared per challenge id) and retries once with `Step-Up-Token`. A second step-up
 * answer to the retry, or to a request that already carried a `Step-Up-Token`, is returned
 * as is. Other providers' dialects go to the foreign handler, or are returned as is.
 *
 * @throws TypeError at creation for malformed options.
 * @throws StepUpError from the returned function: `cancelled`, `aborted`, `no_handler`, `failed`,
 *   `origin_not_allowed` (the answer's `challengeUrl` is on an origin that is neither the page's
 *   nor in `allowedOrigins`; nothing was sent there). Network errors of `fetch` itself pass
 *   through unchanged.
 * @example
 * const api = createStepUpFetch({ sensitive: /\/api\// });
 * const res = await api('/api/transfer', { method: 'POST', body: JSON.stringify({ amount: 900 }) });
 */
export function createStepUpFetch(options: StepUpFetchOptions = {}): typeof fetch {
  const normalized = normalizeFlowOptions(options);
  const base: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  return async function stepUpFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    if (!normalized.isSensitive(requestLike(input, init))) return base(input, init);
    const prepared = await prepare(input, init);
    const first = build(prepared, await withContext(new Headers(prepared.template.headers), normalized));
    const response = await base(first);
    if (first.headers.has(HEADERS.token)) return response;
    const answer = await detectStepUp(response, first.url, normalized.challengePrefix);
    if (!answer) return response;
    const signal = prepared.template.signal;
    if (answer.kind === 'idp' && getIdpStepUpHandler() !== null) {
      // Only identity providers perform this step-up: the proof reaches the app's backend (its
      // session), so the retry carries no token of ours.
      void response.body?.cancel().catch(() => undefined);
      await getIdpStepUpHandler()!(answer.providers, {
        request: build(prepared, new Headers(prepared.template.headers)),
        signal,
      });
      return base(build(prepared, await withContext(new Headers(prepared.template.headers), normalized)));
    }
    if (answer.kind !== 'stepgate') {
      const handler = getForeignStepUpHandler();
      // A fresh copy, body included, so the handler can retry the request itself.
      const request = build(prepared, new Headers(first.headers));
      return (handler && (await handler(answer.parsed, response, { request, signal }))) || response;
    }
    let verified: Awaited<ReturnType<typeof requestStepUp>>;
    try {
      verified = await requestStepUp(answer.challenge, {
        signal,
        bridge: normalized.bridge,
        allowedOrigins: normalized.allowedOrigins,
        request: build(prepared, new Headers(prepared.template.headers)),
      });
    } finally {
      // The step-up answer is never returned from here on: release its body.
      void response.body?.cancel().catch(() => undefined);
    }
    const headers = await withContext(new Headers(prepared.template.headers), normalized);
    headers.set(HEADERS.token, verified.token);
    return base(build(prepared, headers));
  };
}
