/**
 * @stepgate/decision-service — the decision service and the `stepgate` CLI.
 * @packageDocumentation
 */
export { VERSION } from './version.js';
