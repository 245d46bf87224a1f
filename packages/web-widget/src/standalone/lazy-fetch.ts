/**
 * `createStepUpFetch` as the challenge bundle exports it: the same function as sdk-core's, whose
 * implementation (the context header, the step-up queue, the `WWW-Authenticate` parsers: about
 * 6 KiB min+gzip) sits in the sibling bundle `stepgate-fetch.min.js`. Creating a step-up fetch
 * starts loading that file in the background, beside this one (same directory, same CDN
 * version), so the page's first request rarely waits for it and the challenge bundle stays within
 * DESIGN.md's 15 KiB budget.
 */
import type { StepUpFetchOptions } from '@stepgate/sdk-core';

type FetchModule = typeof import('./fetch.js');

/** The sibling bundle, resolved against this bundle's own URL (a CDN path works as a local one). */
const SIBLING = './stepgate-fetch.min.js';
let loading: Promise<FetchModule> | undefined;

/** Loads the sibling bundle once. @throws TypeError when it cannot be loaded (404, offline). */
export function loadFetchModule(): Promise<FetchModule> {
  loading ??= import(/* @vite-ignore */ new URL(SIBLING, import.meta.url).href) as Promise<FetchModule>;
  return loading;
}

/**
 * Wraps `fetch` with the step-up flow, exactly as sdk-core's `createStepUpFetch` (its README has
 * the details): the `Step-Up-Context` header on sensitive requests, `<step-up-challenge>` on a
 * step-up answer, one retry with `Step-Up-Token`.
 *
 * @throws TypeError from the returned function's first call for malformed options (sdk-core's
 *   own throws at creation), and StepUpError `cancelled`, `aborted`, `no_handler`, `failed`.
 * @example
 * import { createStepUpFetch } from 'https://unpkg.com/@stepgate/web-widget@0.1.0/dist/standalone/step-up-challenge.min.js';
 * const api = createStepUpFetch();
 * const res = await api('/api/transfers', { method: 'POST', body: JSON.stringify({ amount: 1500, payee: 'Bob' }) });
 */
export function createStepUpFetch(options: StepUpFetchOptions = {}): typeof fetch {
  const wrapped = loadFetchModule().then((m) => m.createStepUpFetch(options));
  // Not awaited here: an unhandled rejection would be reported before the first call handles it.
  wrapped.catch(() => undefined);
  return async (input, init) => (await wrapped)(input, init);
}
