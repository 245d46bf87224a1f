import { HEADERS } from '@stepgate/protocol';
import { optionsOf, type Stepgate } from '../client/create-stepgate.js';
import { clientIp, type TrustFunction } from '../guard/client-ip.js';
import type { RequestView } from '../guard/request-view.js';
import { matchProxyPath } from './paths.js';

/** An answer of the challenge proxy: status, headers and the raw body. */
export interface ProxyAnswer {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** Response headers passed back to the browser; everything else (cookies included) is dropped. */
const PASSED_BACK = ['content-type', 'cache-control', 'retry-after'] as const;
/** Request headers passed on; Authorization, Cookie, X-Forwarded-* and the rest are dropped. */
const PASSED_ON = ['content-type', 'accept-language', 'user-agent'] as const;

function jsonAnswer(
  status: number,
  code: string,
  message: string,
  extra: Record<string, string> = {},
): ProxyAnswer {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...extra },
    body: new TextEncoder().encode(JSON.stringify({ error: { code, message } })),
  };
}

/**
 * Forwards one browser request under the proxy prefix to the same path on the service, with the app's
 * API key and `Stepgate-Client-IP` (docs/design/flows.md "A step-up"). `undefined` when the path is outside the prefix.
 */
export async function proxyChallengeRequest(
  stepgate: Stepgate,
  view: RequestView,
  readBody: () => Promise<Uint8Array | 'too_large'>,
  prefix: string,
  trust: TrustFunction,
): Promise<ProxyAnswer | undefined> {
  const route = matchProxyPath(view.url, prefix);
  if (route.type === 'outside') return undefined;
  if (route.type === 'not_found') return jsonAnswer(404, 'not_found', 'No such route.');
  if (view.method !== 'GET' && view.method !== 'POST') {
    return jsonAnswer(405, 'method_not_allowed', 'Only GET and POST are forwarded.', { allow: 'GET, POST' });
  }
  const options = optionsOf(stepgate);
  const headers: Record<string, string> = {
    accept: 'application/json',
    authorization: `Bearer ${options.apiKey}`,
  };
  for (const name of PASSED_ON) {
    const value = view.header(name);
    if (value !== undefined) headers[name] = value;
  }
  const ip = clientIp(view, trust);
  if (ip !== undefined) headers[HEADERS.clientIp.toLowerCase()] = ip;
  let body: Uint8Array | undefined;
  if (view.method === 'POST') {
    const read = await readBody();
    if (read === 'too_large') return jsonAnswer(413, 'payload_too_large', 'The body is too large.');
    if (read.byteLength > 0) {
      const type = view.header('content-type') ?? '';
      if (!/^application\/json\s*(;|$)/i.test(type)) {
        return jsonAnswer(415, 'unsupported_media_type', 'The body must be JSON.');
      }
      body = read;
    }
  }
  try {
    // Not retried, redirects not followed: the answer, whatever its status, goes back to the browser.
    const answer = await options.send({
      method: view.method,
      url: `${options.serviceUrl}${route.servicePath}`,
      headers,
      ...(body === undefined ? {} : { body }),
      timeoutMs: options.proxyTimeoutMs,
    });
    const out: Record<string, string> = { 'cache-control': 'no-store' };
    for (const name of PASSED_BACK) {
      const value = answer.header(name);
      if (value !== undefined) out[name] = value;
    }
    const bytes = answer.body;
    return {
      status: answer.status,
      headers: out,
      body: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    };
  } catch {
    return jsonAnswer(503, 'service_unavailable', 'The challenge service could not be reached.');
  }
}
