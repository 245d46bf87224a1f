/**
 * sdk-core's step-up flow for pages without a bundler (dist/standalone/step-up-fetch.min.js):
 * `createStepUpFetch` with the context header, the step-up queue and the header parsers, sdk-core
 * and protocol inlined. The challenge bundle loads it on demand (see `lazy-fetch.ts`), so the page
 * pays for it only once it creates a step-up fetch, and the challenge bundle stays within its
 * 15 KiB budget (docs/design/trade-offs.md).
 */
export { createStepUpFetch, isStepUpError } from '@stepgate/sdk-core';
