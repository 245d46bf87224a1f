/**
 * @stepgate/node-client — the backend SDK: `createStepgate()` for decisions, users and enrollment.
 * Route guards and the challenge proxy live in `@stepgate/node-client/express`, `/fastify` and `/fetch`.
 * @packageDocumentation
 */
export type { FactorRemovedAnswer } from '@stepgate/protocol';
export { newIdempotencyKey } from '@stepgate/protocol';
export type { DecideOptions, Stepgate } from './client/create-stepgate.js';
export { createStepgate } from './client/create-stepgate.js';
export { DEFAULT_TIMEOUT_MS, DEFAULTS } from './defaults.js';
export type { ClientErrorCode } from './errors.js';
export { CLIENT_ERROR_CODES, isStepgateClientError, StepgateClientError } from './errors.js';
export type { GuardAnswer } from './guard/answers.js';
export { stepUpAnswer } from './guard/answers.js';
export type { NormalizedStepgateOptions, StepgateOptions } from './options.js';
export { normalizeOptions } from './options.js';
