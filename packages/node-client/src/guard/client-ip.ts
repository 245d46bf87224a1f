import { isIPv4 } from 'node:net';
import ipaddr from 'ipaddr.js';
import proxyaddr from 'proxy-addr';
import { StepgateClientError } from '../errors.js';
import type { RequestView } from './request-view.js';

/**
 * Which proxies in front of the app are trusted to set `X-Forwarded-For`, with Express's `trust proxy`
 * semantics (jshttp/proxy-addr): `false` trusts none (the TCP peer is the client), `true` trusts every
 * hop, a number trusts that many hops, a string or list names addresses, CIDR ranges or the presets
 * `loopback`, `linklocal` and `uniquelocal`, and a function decides per address and hop.
 * @defaultValue false
 * @example
 * const trustProxy: TrustProxy = ['loopback', '10.0.0.0/8']; // a local reverse proxy and the VPC's load balancer
 */
export type TrustProxy =
  | boolean
  | number
  | string
  | readonly string[]
  | ((address: string, hop: number) => boolean);

/** A compiled trust function: `(address, hop) => trusted`. */
export type TrustFunction = (address: string, hop: number) => boolean;

/**
 * Compiles a {@link TrustProxy} setting, as Express does.
 * @throws StepgateClientError `invalid_options` for an address or range proxy-addr cannot parse.
 */
export function compileTrust(value: TrustProxy | undefined): TrustFunction {
  if (value === undefined || value === false) return () => false;
  if (value === true) return () => true;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) {
      throw new StepgateClientError('invalid_options', 'trustProxy hops must be a non-negative integer');
    }
    return (_address, hop) => hop < value;
  }
  if (typeof value === 'function') return value;
  const list = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : [...value];
  try {
    return proxyaddr.compile(list);
  } catch (error) {
    throw new StepgateClientError('invalid_options', `trustProxy: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** A valid IP address in its canonical form (IPv4-mapped IPv6 as IPv4); `undefined` otherwise. */
export function canonicalIp(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  // Four dotted decimals 0–255 without leading zeros, already canonical (node:net's check, ~40× faster
  // than ipaddr.js's on every guarded request); ipaddr.js would also accept `1` or `0x7f.1` as IPv4.
  if (isIPv4(value)) return value;
  return ipaddr.IPv6.isValid(value) ? ipaddr.process(value).toString() : undefined;
}

/**
 * The client's IP address: the TCP peer, or — walking `X-Forwarded-For` from the right — the first
 * address not vouched for by a trusted proxy. A browser's own `X-Forwarded-For` counts for nothing
 * unless the hop that received it is trusted (docs/security-model.md S7).
 */
export function clientIp(view: RequestView, trust: TrustFunction): string | undefined {
  const shim = {
    headers: { 'x-forwarded-for': view.header('x-forwarded-for') },
    socket: { remoteAddress: view.remoteAddress },
  };
  const chain = proxyaddr.all(shim as never, trust);
  for (let i = chain.length - 1; i >= 0; i -= 1) {
    const ip = canonicalIp(chain[i]);
    if (ip !== undefined) return ip;
  }
  return undefined;
}

/** Whether the TCP peer itself is a trusted proxy (so its forwarding and CDN headers count). */
export function peerIsTrusted(view: RequestView, trust: TrustFunction): boolean {
  return view.remoteAddress !== undefined && trust(view.remoteAddress, 0);
}
