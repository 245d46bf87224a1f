/** How long a decision call may take before the guard fails closed. @defaultValue 300 */
export const DEFAULT_TIMEOUT_MS = 300;

/**
 * Every default of {@link StepgateOptions}, in one place; `normalizeOptions()` merges them.
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
