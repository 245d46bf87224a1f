/**
 * @stepgate/policy-engine — policy documents and risk signals to a verdict.
 * @packageDocumentation
 */
export { haversineKm } from './geo.js';
