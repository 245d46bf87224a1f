import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';

/**
 * A `fetch` for ky on top of node:http with kept-alive agents. Node's built-in fetch (undici) costs
 * about a millisecond of CPU per call on loopback, more than the whole guard budget (docs/design/README.md
 * "Performance": ≤ 1 ms p50 added); node:http does the same exchange for a fraction of that.
 * It covers what the client needs — method, headers, a buffered body, abort signals — and never
 * follows redirects. Errors are `TypeError('fetch failed')` with the cause, as undici's, so ky
 * recognises network errors.
 */
export function createNodeHttpFetch(): typeof fetch {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }),
  };
  return async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const signal = init?.signal ?? request.signal;
    signal?.throwIfAborted();
    const url = new URL(request.url);
    const body = request.body === null ? undefined : Buffer.from(await request.arrayBuffer());
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    if (body !== undefined) headers['content-length'] = String(body.byteLength);
    // Looked up on the module object at call time, so interceptors that patch it (msw in tests) apply.
    const send = url.protocol === 'https:' ? https.request : http.request;
    const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
    return new Promise<Response>((resolve, reject) => {
      const req = send(url, { method: request.method, headers, agent }, (res) => {
        readAll(res).then((bytes) => resolve(toResponse(res, bytes)), fail);
      });
      function fail(cause: unknown) {
        signal?.removeEventListener('abort', onAbort);
        reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause }));
      }
      function onAbort() {
        req.destroy(signal?.reason);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', fail);
      req.on('close', () => signal?.removeEventListener('abort', onAbort));
      req.end(body);
    });
  };
}

/** Largest answer buffered; the service's answers are a few kilobytes. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

async function readAll(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      res.destroy();
      throw new Error('response too large');
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function toResponse(res: IncomingMessage, bytes: Buffer): Response {
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2)
    headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  const status = res.statusCode ?? 502;
  const empty = status === 204 || status === 304 || (status >= 100 && status < 200);
  return new Response(empty ? null : new Uint8Array(bytes), {
    status,
    statusText: res.statusMessage ?? '',
    headers,
  });
}
