import type { TrustFunction } from './client-ip.js';
/**
 * What the shared guard core needs from a request, whatever the framework: each adapter maps its
 * own request object (Express, Fastify, Web `Request`) onto this view.
 */
export interface RequestView {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The request target as received (path and query), before any router stripped a mount prefix. */
  readonly url: string;
  /** A header's value (repeated headers joined with `, `), by lower-case name. */
  header(name: string): string | undefined;
  /** The TCP peer's address, when the framework knows it. */
  readonly remoteAddress: string | undefined;
  /** Whether the connection to this process is TLS. */
  readonly encrypted: boolean;
  /**
   * The framework's own proxy trust (Express `trust proxy`, Fastify `trustProxy`), used when the
   * guard's `trustProxy` option is not set, so the guard sees the client `req.ip` names.
   */
  readonly trust?: TrustFunction | undefined;
}

/** Builds a view from a Fetch API `Headers` object. */
export function viewFromHeaders(
  method: string,
  url: string,
  headers: Headers,
  remoteAddress: string | undefined,
  encrypted: boolean,
): RequestView {
  return {
    method: method.toUpperCase(),
    url,
    header: (name) => headers.get(name) ?? undefined,
    remoteAddress,
    encrypted,
  };
}

/** Builds a view from Node's `IncomingHttpHeaders` (Express and Fastify requests). */
export function viewFromNodeHeaders(
  method: string,
  url: string,
  headers: Record<string, string | string[] | undefined>,
  remoteAddress: string | undefined,
  encrypted: boolean,
  trust?: TrustFunction,
): RequestView {
  return {
    method: method.toUpperCase(),
    url,
    trust,
    header(name) {
      const value = headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    },
    remoteAddress,
    encrypted,
  };
}
