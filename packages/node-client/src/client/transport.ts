import type { ErrorBody } from '@stepgate/protocol';
import { ConsecutiveBreaker, circuitBreaker, handleWhen, isBrokenCircuitError } from 'cockatiel';
import ky, { isHTTPError } from 'ky';
import { StepgateClientError } from '../errors.js';
import type { NormalizedStepgateOptions } from '../options.js';
import { validateAnswer } from './schemas.js';

/** One call to the decision service. */
export interface CallSpec<T> {
  method: 'get' | 'post' | 'put' | 'delete';
  /** Path below the service URL, without a leading slash (`v1/decisions`). */
  path: string;
  json?: unknown;
  /** Sent as `Idempotency-Key`, the same on every attempt. */
  idempotencyKey?: string;
  /**
   * Whether a network error or a 502/503/504 may be retried: only for calls safe to repeat (GET, PUT,
   * and a POST that carries an `Idempotency-Key`).
   */
  retry: boolean;
  /** The code thrown for a failure of the service (timeout, breaker, network, 5xx, malformed). */
  failCode: 'decision_unavailable' | 'service_unavailable';
  /** Checks a 2xx body; returns the typed value or `undefined` when the body is malformed. */
  parse: (body: unknown) => T | undefined;
  /**
   * Whether the call goes through (and counts for) the circuit breaker. `false` for auxiliary calls
   * whose failure must not open it for decisions (the guards' field-type fetch).
   * @defaultValue true
   */
  breaker?: boolean;
}

/** Reads a body, giving up (and cancelling the stream) when the deadline passes. */
async function readText(response: Response, deadline: AbortSignal): Promise<string> {
  deadline.throwIfAborted();
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      response.body?.cancel().catch(() => {});
      reject(deadline.reason);
    };
    deadline.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([response.text(), aborted]);
  } finally {
    deadline.removeEventListener('abort', onAbort);
  }
}

/** A failure that says the service is unhealthy: it counts towards opening the breaker. */
class ServiceFailure extends Error {}

/** Sends calls through ky with a timeout, safe retries and a cockatiel circuit breaker. */
export interface Transport {
  call<T>(spec: CallSpec<T>): Promise<T>;
  /** The breaker's state, for health pages: `closed`, `open` or `half-open`. */
  breakerState(): 'closed' | 'open' | 'half-open';
}

const STATES = ['closed', 'open', 'half-open', 'open'] as const;

/** Creates the transport for one client. */
export function createTransport(options: NormalizedStepgateOptions): Transport {
  const base = ky.create({
    prefix: options.serviceUrl,
    // One deadline signal per call (below) bounds every attempt, the retry delays and the body; ky's
    // own per-attempt and total timers would only add work on the hot path.
    timeout: false,
    fetch: options.fetch,
    headers: { authorization: `Bearer ${options.apiKey}`, accept: 'application/json' },
    // Redirects are not followed: a decision service never redirects, and following one could send
    // the API key elsewhere.
    redirect: 'manual',
    retry: 0,
  });
  // Retrying calls get their own instance, so no retry options are merged on the hot path.
  const retrying = base.extend({
    retry: {
      limit: options.retryLimit,
      methods: ['get', 'put', 'post'],
      statusCodes: [502, 503, 504],
      afterStatusCodes: [],
      retryOnTimeout: false,
      delay: () => options.retryDelayMs,
    },
  });
  const breaker = circuitBreaker(
    handleWhen((error) => error instanceof ServiceFailure),
    {
      halfOpenAfter: options.breakerHalfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.breakerFailures),
    },
  );

  async function attempt<T>(spec: CallSpec<T>): Promise<T> {
    let body: unknown;
    // One deadline for the whole call: attempts, retry delays and the body.
    const deadline = AbortSignal.timeout(options.timeoutMs);
    try {
      const response = await (spec.retry ? retrying : base)(spec.path, {
        signal: deadline,
        method: spec.method,
        ...(spec.json === undefined ? {} : { json: spec.json }),
        ...(spec.idempotencyKey === undefined ? {} : { headers: { 'idempotency-key': spec.idempotencyKey } }),
      });
      if (response.status < 200 || response.status > 299) {
        throw new ServiceFailure(`the service answered ${response.status}`);
      }
      const text = await readText(response, deadline);
      body = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch (error) {
      if (error instanceof ServiceFailure) throw error;
      if (isHTTPError(error) && error.response.status < 500) {
        const data = error.data as { error?: { code?: unknown; message?: unknown } } | undefined;
        const serviceCode = typeof data?.error?.code === 'string' ? data.error.code : undefined;
        if (
          spec.failCode === 'decision_unavailable' &&
          error.response.status === 400 &&
          serviceCode === 'invalid_request' &&
          validateAnswer('errorBodySchema', data)
        ) {
          // The request was the app's mistake (a field of the wrong type, issue 22): a 400 the guard
          // passes on, not an outage; the route does not run either way.
          const body = data as ErrorBody;
          throw new StepgateClientError('invalid_request', body.error.message, {
            cause: error,
            status: 400,
            serviceCode,
            ...(body.error.details === undefined ? {} : { details: body.error.details }),
          });
        }
        throw new StepgateClientError(
          spec.failCode === 'decision_unavailable' ? 'decision_unavailable' : 'service_rejected',
          `the service refused ${spec.method.toUpperCase()} /${spec.path}: ${error.response.status}${serviceCode ? ` ${serviceCode}` : ''}`,
          { cause: error, status: error.response.status, ...(serviceCode ? { serviceCode } : {}) },
        );
      }
      throw new ServiceFailure(error instanceof Error ? error.message : String(error), { cause: error });
    }
    const value = spec.parse(body);
    if (value === undefined) throw new ServiceFailure('the service answered a malformed body');
    return value;
  }

  return {
    async call<T>(spec: CallSpec<T>): Promise<T> {
      try {
        return spec.breaker === false ? await attempt(spec) : await breaker.execute(() => attempt(spec));
      } catch (error) {
        if (error instanceof StepgateClientError) throw error;
        const message = isBrokenCircuitError(error)
          ? 'the circuit breaker is open'
          : error instanceof Error
            ? error.message
            : String(error);
        throw new StepgateClientError(spec.failCode, `decision service unavailable: ${message}`, {
          cause: error instanceof ServiceFailure && error.cause !== undefined ? error.cause : error,
        });
      }
    },
    breakerState: () => STATES[breaker.state] ?? 'open',
  };
}
