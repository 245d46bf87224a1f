/**
 * @stepgate/node-client — the backend SDK.
 * @packageDocumentation
 */
export { DEFAULT_TIMEOUT_MS } from './defaults.js';
