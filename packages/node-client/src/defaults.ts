/**
 * How long a decision call may take before the guard fails closed, in milliseconds.
 * @defaultValue 300
 * @example
 * createStepgate({ serviceUrl, apiKey, timeoutMs: DEFAULT_TIMEOUT_MS * 2 });
 */
export const DEFAULT_TIMEOUT_MS = 300;

/**
 * Every default of {@link StepgateOptions} and of the guards, in one place; `normalizeOptions()` and
 * `normalizeGuardOptions()` merge them.
 * @example
 * DEFAULTS.proxyPrefix; // '/stepgate'
 */
export const DEFAULTS = {
  timeoutMs: DEFAULT_TIMEOUT_MS,
  retryLimit: 1,
  retryDelayMs: 20,
  breakerFailures: 5,
  breakerHalfOpenAfterMs: 5_000,
  proxyTimeoutMs: 5_000,
  proxyBodyLimitBytes: 64 * 1024,
  proxyPrefix: '/stepgate',
} as const;
