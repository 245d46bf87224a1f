import { StepgateError } from '@stepgate/protocol';
import type { FastifyRequest } from 'fastify';
import ipaddr from 'ipaddr.js';

/** Parsed CIDRs of `trustedClients`. */
export type TrustedNetworks = Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>;

/**
 * Parses the `trustedClients` CIDRs.
 *
 * @throws StepgateError `invalid_request` naming the malformed entry.
 */
export function parseTrustedClients(cidrs: string[]): TrustedNetworks {
  return cidrs.map((cidr) => {
    try {
      return ipaddr.parseCIDR(
        cidr.includes('/') ? cidr : `${cidr}/${ipaddr.parse(cidr).kind() === 'ipv4' ? 32 : 128}`,
      );
    } catch (cause) {
      throw new StepgateError('invalid_request', `trustedClients: "${cidr}" is not a CIDR`, { cause });
    }
  });
}

function normalize(ip: string): ipaddr.IPv4 | ipaddr.IPv6 {
  const parsed = ipaddr.parse(ip);
  return parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()
    ? (parsed as ipaddr.IPv6).toIPv4Address()
    : parsed;
}

/**
 * The `Stepgate-Client-IP` header, honoured only for callers that hold an API key (every route
 * that reads it requires one) and, when `trustedClients` is set, come from a trusted network.
 * A browser's `X-Forwarded-For` is never read.
 *
 * @throws StepgateError `invalid_request` when the header is not an IP address.
 */
export function forwardedClientIp(request: FastifyRequest, trusted: TrustedNetworks): string | undefined {
  return forwardedIp(request.headers['stepgate-client-ip'], request.socket.remoteAddress, trusted);
}

/** {@link forwardedClientIp} from the header's value and the socket's address. */
export function forwardedIp(
  header: string | string[] | undefined,
  remote: string | undefined,
  trusted: TrustedNetworks,
): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !ipaddr.isValid(header)) {
    throw new StepgateError('invalid_request', 'Stepgate-Client-IP must be an IP address');
  }
  if (trusted.length > 0) {
    if (!remote || !ipaddr.isValid(remote)) return undefined;
    const addr = normalize(remote);
    if (!trusted.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net, bits))) return undefined;
  }
  return normalize(header).toString();
}
