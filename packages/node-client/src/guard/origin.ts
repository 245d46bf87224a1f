import type { TrustFunction } from './client-ip.js';
import { peerIsTrusted } from './client-ip.js';
import type { RequestView } from './request-view.js';

const HOST = /^(?:[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

function first(value: string | undefined): string | undefined {
  return value?.split(',')[0]?.trim() || undefined;
}

/**
 * The app's origin as the browser sees it, when `proxy.publicOrigin` is not configured: `Host` and
 * the connection's TLS, or `X-Forwarded-Host`/`-Proto` when the TCP peer is a trusted proxy. A host
 * that is not a plain hostname or IP literal falls back to `localhost` rather than echo it.
 */
export function publicOrigin(view: RequestView, trust: TrustFunction): string {
  const trusted = peerIsTrusted(view, trust);
  const forwardedProto = trusted ? first(view.header('x-forwarded-proto'))?.toLowerCase() : undefined;
  const proto =
    forwardedProto === 'https' || forwardedProto === 'http'
      ? forwardedProto
      : view.encrypted
        ? 'https'
        : 'http';
  const candidate = (trusted ? first(view.header('x-forwarded-host')) : undefined) ?? view.header('host');
  const host = candidate !== undefined && HOST.test(candidate) ? candidate : 'localhost';
  return `${proto}://${host}`;
}
