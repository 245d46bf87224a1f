/**
 * @stepgate/sdk-core — the browser SDK.
 * @packageDocumentation
 */
export { CONTEXT_HEADER } from './constants.js';
