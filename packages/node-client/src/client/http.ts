import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { urlToHttpOptions } from 'node:url';

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

class NodeExchange implements Exchange {
  constructor(
    readonly status: number,
    private readonly res: IncomingMessage,
    readonly body: Buffer,
  ) {}
  header(name: string): string | undefined {
    const value = this.res.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  }
}

/**
 * The default {@link Send}: node:http/node:https with kept-alive agents (one pool per client). No
 * Request/Response objects, no abort signals: one timer per exchange bounds it and destroys the
 * request when it fires. Measured against undici's `Pool.request` on loopback the CPU per call is the
 * same within noise (docs/benchmarks.md), and node:http needs no dependency.
 */
export function createNodeHttpSend(): Send {
  const agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 256, scheduling: 'lifo' }),
    https: new https.Agent({ keepAlive: true, maxSockets: 256, scheduling: 'lifo' }),
  };
  // The parsed origin of each base URL seen (a client talks to one or two): parsing a URL per call
  // costs more than the rest of building the request.
  type Origin = { protocol: string; hostname: string; port?: string | number };
  const origins = new Map<string, Origin>();
  const target = (url: string): { parsed: Origin; path: string } => {
    const slash = url.indexOf('/', url.indexOf('//') + 2);
    const origin = slash < 0 ? url : url.slice(0, slash);
    const path = slash < 0 ? '/' : url.slice(slash);
    const cached = origins.get(origin);
    if (cached !== undefined) return { parsed: cached, path };
    const options = urlToHttpOptions(new URL(origin));
    const parsed: Origin = {
      protocol: options.protocol ?? 'http:',
      hostname: options.hostname ?? 'localhost',
      ...(options.port === undefined || options.port === null || options.port === ''
        ? {}
        : { port: options.port }),
    };
    if (origins.size < 64) origins.set(origin, parsed);
    return { parsed, path };
  };
  return (request) =>
    new Promise<Exchange>((resolve, reject) => {
      const { parsed, path } = target(request.url);
      const secure = parsed.protocol === 'https:';
      const headers = request.headers;
      if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
      // Looked up on the module object at call time, so interceptors that patch it (msw in tests) apply.
      const send = secure ? https.request : http.request;
      let settled = false;
      const finish = (error: Error | undefined, exchange?: Exchange) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(exchange!);
      };
      const req = send(
        {
          ...parsed,
          path,
          method: request.method,
          headers,
          agent: secure ? agents.https : agents.http,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.byteLength;
            if (size > MAX_RESPONSE_BYTES) {
              res.destroy();
              finish(new NetworkError('the answer is too large'));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () => {
            const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
            finish(undefined, new NodeExchange(res.statusCode ?? 502, res, body));
          });
          res.on('error', (cause) => finish(new NetworkError(cause.message, { cause })));
          res.on('aborted', () => finish(new NetworkError('the answer was cut off')));
        },
      );
      const timer = setTimeout(() => {
        const error = new TimeoutError(`no answer within ${request.timeoutMs} ms`);
        finish(error);
        req.destroy(error);
      }, request.timeoutMs);
      req.on('error', (cause) => finish(new NetworkError(cause.message, { cause })));
      req.end(request.body);
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
