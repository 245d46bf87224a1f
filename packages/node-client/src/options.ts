import { createUndiciSend, fetchSend, type Send } from './client/http.js';
import { DEFAULTS } from './defaults.js';
import { StepgateClientError } from './errors.js';

/**
 * Options of {@link createStepgate}. Checked when the client is created, not on the first call.
 * @example
 * const options: StepgateOptions = {
 *   serviceUrl: 'http://127.0.0.1:8787',
 *   apiKey: process.env.STEPGATE_API_KEY!,
 *   timeoutMs: 300,
 *   retry: { limit: 1 },
 *   breaker: { failures: 5, halfOpenAfterMs: 5_000 },
 * };
 */
export interface StepgateOptions {
  /** Base URL of the decision service, e.g. `http://127.0.0.1:8787`. Must be http(s), without query or hash. */
  serviceUrl: string | URL;
  /** The app's API key (`Authorization: Bearer …`). Never sent to a browser. */
  apiKey: string;
  /**
   * Time budget of one call in milliseconds, retries included. Past it the call fails with
   * `decision_unavailable` and a guard answers 503.
   * @defaultValue 300
   */
  timeoutMs?: number;
  /**
   * Retries of failed calls that are safe to repeat: GET and PUT calls, and decision calls (each carries
   * one `Idempotency-Key` for all its attempts). Only network errors and 502/503/504 are retried;
   * a timeout is not (the budget is spent). `0` turns retries off.
   * @defaultValue `{ limit: 1, delayMs: 20 }`
   */
  retry?: number | { limit?: number; delayMs?: number };
  /**
   * The circuit breaker (cockatiel): after `failures` consecutive failed calls it opens, and every call
   * fails at once with `decision_unavailable` until `halfOpenAfterMs` have passed; then one trial call
   * decides whether it closes again (docs/security-model.md S21).
   * @defaultValue `{ failures: 5, halfOpenAfterMs: 5000 }`
   */
  breaker?: { failures?: number; halfOpenAfterMs?: number };
  /**
   * The service's URL as a browser sees it, for `challengeUrl` when no challenge proxy is mounted.
   * @defaultValue `serviceUrl`
   */
  publicServiceUrl?: string | URL;
  /**
   * Time budget of one challenge-proxy call in milliseconds (starting a challenge may send an email).
   * @defaultValue 5000
   */
  proxyTimeoutMs?: number;
  /**
   * A `fetch` for every call instead of the built-in HTTP layer, for instrumentation or another HTTP
   * stack. Costs more per call (a Request, a Response and an abort signal each).
   * @defaultValue none: undici, a kept-alive `Pool` per origin per client (no Request/Response objects)
   */
  fetch?: typeof fetch;
}

/**
 * {@link StepgateOptions} after defaults are merged and every value is checked.
 * @example
 * const { timeoutMs, retryLimit } = normalizeOptions({ serviceUrl, apiKey }); // 300, 1
 */
export interface NormalizedStepgateOptions {
  readonly serviceUrl: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
  readonly retryLimit: number;
  readonly retryDelayMs: number;
  readonly breakerFailures: number;
  readonly breakerHalfOpenAfterMs: number;
  readonly publicServiceUrl: string;
  readonly proxyTimeoutMs: number;
  /** Sends one HTTP exchange: undici by default, or over the `fetch` option. */
  readonly send: Send;
}

const KNOWN = new Set([
  'serviceUrl',
  'apiKey',
  'timeoutMs',
  'retry',
  'breaker',
  'publicServiceUrl',
  'proxyTimeoutMs',
  'fetch',
]);

function fail(message: string): never {
  throw new StepgateClientError('invalid_options', message);
}

/** Checks an http(s) base URL and returns it without a trailing slash. */
export function baseUrl(value: unknown, name: string): string {
  let url: URL;
  try {
    url = new URL(String(value instanceof URL ? value.href : value));
  } catch {
    return fail(`${name} must be an absolute http(s) URL`);
  }
  if (typeof value !== 'string' && !(value instanceof URL)) fail(`${name} must be a string or URL`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(`${name} must use http or https`);
  if (url.search || url.hash || url.username || url.password) {
    fail(`${name} must not carry a query, fragment or credentials`);
  }
  return url.href.replace(/\/+$/, '');
}

/** Checks an integer option within bounds, or returns its default. */
export function intOption(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function objectOption(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${name} must be an object`);
  return value as Record<string, unknown>;
}

/**
 * Merges {@link DEFAULTS} into the options and checks every value.
 *
 * @throws StepgateClientError `invalid_options` naming the first bad option.
 * @example
 * normalizeOptions({ serviceUrl: 'http://127.0.0.1:8787/', apiKey: 'sk_test' }).timeoutMs; // 300
 */
export function normalizeOptions(options: StepgateOptions): NormalizedStepgateOptions {
  const raw = objectOption(options, 'options');
  for (const key of Object.keys(raw)) if (!KNOWN.has(key)) fail(`unknown option ${key}`);
  const serviceUrl = baseUrl(raw.serviceUrl, 'serviceUrl');
  if (typeof raw.apiKey !== 'string' || !/^[\x21-\x7e]{8,512}$/.test(raw.apiKey)) {
    fail('apiKey must be 8 to 512 printable ASCII characters without spaces');
  }
  const retry = typeof raw.retry === 'number' ? { limit: raw.retry } : objectOption(raw.retry, 'retry');
  const breaker = objectOption(raw.breaker, 'breaker');
  if (raw.fetch !== undefined && typeof raw.fetch !== 'function') fail('fetch must be a function');
  return Object.freeze({
    serviceUrl,
    apiKey: raw.apiKey,
    timeoutMs: intOption(raw.timeoutMs, 'timeoutMs', DEFAULTS.timeoutMs, 1, 60_000),
    retryLimit: intOption(retry.limit, 'retry.limit', DEFAULTS.retryLimit, 0, 5),
    retryDelayMs: intOption(retry.delayMs, 'retry.delayMs', DEFAULTS.retryDelayMs, 0, 10_000),
    breakerFailures: intOption(breaker.failures, 'breaker.failures', DEFAULTS.breakerFailures, 1, 1_000),
    breakerHalfOpenAfterMs: intOption(
      breaker.halfOpenAfterMs,
      'breaker.halfOpenAfterMs',
      DEFAULTS.breakerHalfOpenAfterMs,
      1,
      3_600_000,
    ),
    publicServiceUrl:
      raw.publicServiceUrl === undefined ? serviceUrl : baseUrl(raw.publicServiceUrl, 'publicServiceUrl'),
    proxyTimeoutMs: intOption(raw.proxyTimeoutMs, 'proxyTimeoutMs', DEFAULTS.proxyTimeoutMs, 1, 120_000),
    send: raw.fetch === undefined ? createUndiciSend() : fetchSend(raw.fetch as typeof fetch),
  });
}
