/**
 * `createStepUpFetch` as the challenge bundle exports it: the same function as sdk-core's, whose
 * implementation (the context header, the step-up queue, the `WWW-Authenticate` parsers: about
 * 8 KiB min+gzip) is the sibling bundle `step-up-fetch.min.js`, imported from beside this one
 * (same directory, same CDN version) on the first request through the wrapped fetch. Pages that
 * only use the element never load it, and the challenge bundle keeps to docs/design/README.md's 15 KiB budget:
 * this wrapper is about 50 B of it. The browser loads the sibling once, however many calls follow.
 */
import type { StepUpFetchOptions } from '@stepgate/sdk-core';

type FetchModule = typeof import('./fetch.js');

/**
 * Wraps `fetch` with the step-up flow, exactly as sdk-core's `createStepUpFetch` (its README has
 * the details): the `Step-Up-Context` header on sensitive requests, `<step-up-challenge>` on a
 * step-up answer, one retry with `Step-Up-Token`.
 *
 * @throws TypeError from the returned function's first call for malformed options (sdk-core's
 *   own throws at creation), or when `step-up-fetch.min.js` cannot be loaded; StepUpError
 *   `cancelled`, `aborted`, `no_handler`, `failed`.
 * @example
 * import { createStepUpFetch } from 'https://unpkg.com/@stepgate/web-widget@0.1.0/dist/standalone/step-up-challenge.min.js';
 * const api = createStepUpFetch();
 * const res = await api('/api/transfers', { method: 'POST', body: JSON.stringify({ amount: 1500, payee: 'Bob' }) });
 */
export const createStepUpFetch =
  (options?: StepUpFetchOptions): typeof fetch =>
  (...request) =>
    // A relative specifier of import() resolves against this module's own URL, not the page's.
    // @ts-expect-error the sibling exists only in dist/standalone/ (rollup keeps it external)
    import('./step-up-fetch.min.js').then((m: FetchModule) => m.createStepUpFetch(options)(...request));
