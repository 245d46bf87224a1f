import type { ErrorBody } from '@stepgate/protocol';
import { ConsecutiveBreaker, circuitBreaker, handleWhen, isBrokenCircuitError } from 'cockatiel';
import { StepgateClientError } from '../errors.js';
import type { NormalizedStepgateOptions } from '../options.js';
import { type Exchange, TimeoutError } from './http.js';
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

/** A failure that says the service is unhealthy: it counts towards opening the breaker. */
class ServiceFailure extends Error {}

/** Sends calls with one time budget per call, safe retries and a cockatiel circuit breaker. */
export interface Transport {
  call<T>(spec: CallSpec<T>): Promise<T>;
  /** The breaker's state, for health pages: `closed`, `open` or `half-open`. */
  breakerState(): 'closed' | 'open' | 'half-open';
}

const STATES = ['closed', 'open', 'half-open', 'open'] as const;

/** Creates the transport for one client. */
export function createTransport(options: NormalizedStepgateOptions): Transport {
  const send = options.send;
  const authorization = `Bearer ${options.apiKey}`;
  const breaker = circuitBreaker(
    handleWhen((error) => error instanceof ServiceFailure),
    {
      halfOpenAfter: options.breakerHalfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.breakerFailures),
    },
  );
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

  /** Sends the call, retrying network errors and 502/503/504 when safe, within one time budget. */
  async function exchange(spec: CallSpec<unknown>): Promise<Exchange> {
    const url = `${options.serviceUrl}/${spec.path}`;
    const method = spec.method.toUpperCase();
    const body = spec.json === undefined ? undefined : JSON.stringify(spec.json);
    // One deadline for the whole call: attempts, retry delays and the body.
    const deadline = performance.now() + options.timeoutMs;
    const attempts = spec.retry ? options.retryLimit + 1 : 1;
    for (let attempt = 1; ; attempt += 1) {
      // A fresh object per attempt, never shared with a send still in flight.
      const headers: Record<string, string> =
        spec.idempotencyKey === undefined
          ? { authorization, accept: 'application/json' }
          : { authorization, accept: 'application/json', 'idempotency-key': spec.idempotencyKey };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const left = Math.ceil(deadline - performance.now());
      if (left <= 0) throw new TimeoutError(`no answer within ${options.timeoutMs} ms`);
      let answer: Exchange;
      try {
        answer = await send(
          body === undefined
            ? { method, url, headers, timeoutMs: left }
            : { method, url, headers, body, timeoutMs: left },
        );
      } catch (error) {
        if (error instanceof TimeoutError || attempt >= attempts) throw error;
        await sleep(Math.min(options.retryDelayMs, Math.max(0, deadline - performance.now())));
        continue;
      }
      const status = answer.status;
      if ((status === 502 || status === 503 || status === 504) && attempt < attempts) {
        await sleep(Math.min(options.retryDelayMs, Math.max(0, deadline - performance.now())));
        continue;
      }
      return answer;
    }
  }

  /** Reads an error body as JSON, or `undefined` when it is not JSON. */
  function errorData(answer: Exchange): { error?: { code?: unknown; message?: unknown } } | undefined {
    try {
      return JSON.parse(answer.body.toString('utf8')) as { error?: { code?: unknown; message?: unknown } };
    } catch {
      return undefined;
    }
  }

  async function attempt<T>(spec: CallSpec<T>): Promise<T> {
    let answer: Exchange;
    try {
      answer = await exchange(spec);
    } catch (error) {
      throw new ServiceFailure(error instanceof Error ? error.message : String(error), { cause: error });
    }
    const status = answer.status;
    if (status >= 300 && status < 500) {
      // A redirect is not followed (it could send the API key elsewhere); a 4xx is the caller's mistake.
      const data = errorData(answer);
      const serviceCode = typeof data?.error?.code === 'string' ? data.error.code : undefined;
      const cause = new Error(`the service answered ${status}`);
      if (
        spec.failCode === 'decision_unavailable' &&
        status === 400 &&
        serviceCode === 'invalid_request' &&
        validateAnswer('errorBodySchema', data)
      ) {
        // The request was the app's mistake (a field of the wrong type, issue 22): a 400 the guard
        // passes on, not an outage; the route does not run either way.
        const errorBody = data as ErrorBody;
        throw new StepgateClientError('invalid_request', errorBody.error.message, {
          cause,
          status: 400,
          serviceCode,
          ...(errorBody.error.details === undefined ? {} : { details: errorBody.error.details }),
        });
      }
      throw new StepgateClientError(
        spec.failCode === 'decision_unavailable' ? 'decision_unavailable' : 'service_rejected',
        `the service refused ${spec.method.toUpperCase()} /${spec.path}: ${status}${serviceCode ? ` ${serviceCode}` : ''}`,
        { cause, status, ...(serviceCode ? { serviceCode } : {}) },
      );
    }
    if (status < 200 || status > 299) throw new ServiceFailure(`the service answered ${status}`);
    let body: unknown;
    try {
      body = answer.body.byteLength === 0 ? undefined : (JSON.parse(answer.body.toString('utf8')) as unknown);
    } catch (error) {
      throw new ServiceFailure('the service answered a malformed body', { cause: error });
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
