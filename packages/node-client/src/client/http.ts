import type { IncomingHttpHeaders } from 'node:http';
import { type Dispatcher, Pool } from 'undici';

/** One HTTP exchange with the decision service, as the transport and the challenge proxy need it. */
export interface Exchange {
  readonly status: number;
  /** A response header by lower-case name (several values joined by `, `). */
  header(name: string): string | undefined;
  /** The whole body, buffered (answers are a few kilobytes; more than {@link MAX_RESPONSE_BYTES} fail). */
  readonly body: Buffer;
}

/** What {@link Send} sends. */
export interface ExchangeRequest {
  readonly method: string;
  /** Absolute http(s) URL. */
  readonly url: string;
  /** Lower-case names; `content-length` is set from the body. */
  readonly headers: Record<string, string>;
  readonly body?: string | Uint8Array;
  /** Milliseconds left for this exchange, body included. Past it the promise rejects with {@link TimeoutError}. */
  readonly timeoutMs: number;
}

/**
 * Sends one request and buffers the answer. Rejects with {@link TimeoutError} when the time is up and
 * with {@link NetworkError} for anything else that kept an answer from arriving. Never follows redirects.
 */
export type Send = (request: ExchangeRequest) => Promise<Exchange>;

/** The time budget ran out (not retried: the budget is spent). */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** No answer arrived: connection refused or reset, a malformed or oversized answer. Retried when safe. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
}

/** Largest answer buffered; the service's answers are a few kilobytes. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

class UndiciExchange implements Exchange {
  constructor(
    readonly status: number,
    private readonly headers: IncomingHttpHeaders,
    readonly body: Buffer,
  ) {}
  header(name: string): string | undefined {
    const value = this.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  }
}

/**
 * One exchange as an undici dispatch handler (the controller API of undici 7): buffers the body and
 * settles the promise once. The timer that bounds the exchange lives here too, so that a timeout
 * before undici has started the request (still connecting, or queued behind busy connections) is
 * answered at once and the request aborted as soon as it starts.
 */
class ExchangeHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private settled = false;
  private failure: Error | undefined;
  private status = 0;
  private headers: IncomingHttpHeaders = {};
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly resolve: (exchange: Exchange) => void,
    private readonly reject: (error: Error) => void,
    timeoutMs: number,
  ) {
    this.timer = setTimeout(
      () => this.abort(new TimeoutError(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  }

  /** Settles with `error` and stops the request (destroying its connection), now or when it starts. */
  private abort(error: Error): void {
    this.fail(error);
    this.failure = error;
    this.controller?.abort(error);
  }

  private fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.reject(error);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.failure !== undefined) controller.abort(this.failure);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    status: number,
    headers: IncomingHttpHeaders,
  ): void {
    // Called again after a 1xx informational answer: the last call is the final answer.
    this.status = status;
    this.headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    this.size += chunk.byteLength;
    if (this.size > MAX_RESPONSE_BYTES) {
      this.abort(new NetworkError('the answer is too large'));
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    const chunks = this.chunks;
    const body =
      chunks.length === 1 ? chunks[0]! : chunks.length === 0 ? EMPTY : Buffer.concat(chunks, this.size);
    this.resolve(new UndiciExchange(this.status, this.headers, body));
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, cause: Error): void {
    // Refused, reset, cut off mid-body, a malformed answer, a closed pool: no answer arrived. After a
    // timeout or an oversized body this is undici reporting our own abort, and the promise is settled.
    this.fail(new NetworkError(cause.message, { cause }));
  }
}

const EMPTY = Buffer.alloc(0);

/** Options of {@link createUndiciSend}, for tests. */
export interface UndiciSendOptions {
  /** The CA certificates https connections trust (a test CA); Node's own by default. */
  readonly ca?: string | Buffer;
}

/**
 * The default {@link Send}: undici, one kept-alive `Pool` per origin (a client talks to one or two),
 * at most 256 connections each, requests sent with `dispatch` and a handler. No Request/Response
 * objects, no abort signals, no streams: one timer per exchange bounds headers and body and aborts
 * the request when it fires. On loopback a call costs about 0.65× the CPU of a raw node:http request
 * on a kept-alive agent, where the node:http layer it replaced cost about 0.85× (docs/benchmarks.md).
 * Idle connections are unref'd and close after the server's keep-alive time, so the pools never keep
 * a process alive.
 */
export function createUndiciSend(options: UndiciSendOptions = {}): Send {
  const pools = new Map<string, Pool>();
  const poolOf = (origin: string): Pool => {
    let pool = pools.get(origin);
    if (pool === undefined) {
      pool = new Pool(origin, {
        connections: 256,
        // Our timer bounds the exchange; undici's own headers and body timers would be redundant.
        headersTimeout: 0,
        bodyTimeout: 0,
        ...(options.ca === undefined ? {} : { connect: { ca: options.ca } }),
      });
      pools.set(origin, pool);
    }
    return pool;
  };
  return (request) =>
    new Promise<Exchange>((resolve, reject) => {
      const url = request.url;
      // Splitting the absolute URL by hand: parsing a URL per call costs more than the rest of the call.
      const slash = url.indexOf('/', url.indexOf('//') + 2);
      const origin = slash < 0 ? url : url.slice(0, slash);
      const handler = new ExchangeHandler(resolve, reject, request.timeoutMs);
      let pool: Pool;
      try {
        pool = poolOf(origin);
      } catch (cause) {
        handler.onResponseError(undefined, cause as Error);
        return;
      }
      // undici sets content-length from the body, never follows redirects (no redirect interceptor) and
      // reports every failure, a synchronous one included, to the handler.
      pool.dispatch(
        {
          method: request.method,
          path: slash < 0 ? '/' : url.slice(slash),
          headers: request.headers,
          body: request.body ?? null,
        },
        handler,
      );
    });
}

/**
 * A {@link Send} over a `fetch` given in the options (instrumentation, another HTTP stack). Slower
 * than the default: one Request/Response and one abort signal per exchange.
 */
export function fetchSend(fetchImpl: typeof fetch): Send {
  return async (request) => {
    const signal = AbortSignal.timeout(request.timeoutMs);
    const timedOut = () => new TimeoutError(`no answer within ${request.timeoutMs} ms`);
    let response: Response;
    try {
      response = await fetchImpl(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body as NonNullable<RequestInit['body']> }),
        redirect: 'manual',
        signal,
      });
    } catch (cause) {
      if (signal.aborted) throw timedOut();
      throw new NetworkError(cause instanceof Error ? cause.message : String(cause), { cause });
    }
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        response.body?.cancel().catch(() => {});
        reject(timedOut());
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const bytes = await Promise.race([response.arrayBuffer(), aborted]);
      if (bytes.byteLength > MAX_RESPONSE_BYTES) throw new NetworkError('the answer is too large');
      const headers = response.headers;
      return {
        status: response.status,
        header: (name) => headers.get(name) ?? undefined,
        body: Buffer.from(bytes),
      };
    } catch (cause) {
      if (cause instanceof TimeoutError || cause instanceof NetworkError) throw cause;
      throw new NetworkError(cause instanceof Error ? cause.message : String(cause), { cause });
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  };
}
