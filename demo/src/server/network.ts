import type { Geo } from '@stepgate/protocol';
import type { NextFunction, Request, Response } from 'express';

/**
 * The risk panel's network scenarios. A request names one in the demo-only
 * `X-Acme-Demo-Network` header; this demo server (never @stepgate/node-client) turns it into the
 * client IP and location the guard reports to the decision service.
 */
export const NETWORKS = {
  home: {
    label: 'Home broadband in Paris',
    ip: '198.51.100.7',
    geo: { country: 'FR', lat: 48.85, lon: 2.35 },
  },
  abroad: {
    label: 'A hotel in Tokyo',
    ip: '198.51.100.201',
    geo: { country: 'JP', lat: 35.68, lon: 139.69 },
  },
  // Same city as home, so only the IP's reputation changes the verdict.
  datacenter: { label: 'A datacenter IP', ip: '203.0.113.5', geo: { country: 'FR', lat: 48.85, lon: 2.35 } },
  tor: { label: 'A Tor exit node', ip: '185.220.101.9', geo: { country: 'FR', lat: 48.85, lon: 2.35 } },
} as const satisfies Record<string, { label: string; ip: string; geo: Geo }>;

/** A scenario name. */
export type NetworkName = keyof typeof NETWORKS;

/** The demo-only request header that picks a scenario. */
export const NETWORK_HEADER = 'x-acme-demo-network';

const isNetwork = (value: unknown): value is NetworkName =>
  typeof value === 'string' && Object.hasOwn(NETWORKS, value);

/** The scenario of a request (`home` unless the header names another). */
export function networkOf(req: Request): NetworkName {
  const value = req.headers[NETWORK_HEADER];
  return isNetwork(value) ? value : 'home';
}

/**
 * Middleware: drops any `X-Forwarded-For` the browser sent and sets the scenario's IP instead,
 * so the guard (with `trustProxy: 'loopback'`) reports it. Only this demo server does this: in a
 * real app the IP comes from the TCP peer or your own trusted proxies.
 */
export function demoNetwork(req: Request, _res: Response, next: NextFunction): void {
  req.headers['x-forwarded-for'] = NETWORKS[networkOf(req)].ip;
  next();
}

/**
 * The guard's `geo` callback: the scenario's location. One demo shortcut: the first request back
 * home after the Tokyo scenario carries no location, otherwise Paris would look like impossible
 * travel from Tokyo for hours and the demo user could not use their account again until then.
 */
export function createDemoGeo(
  userOf: (req: Request) => string | undefined,
): (req: Request) => Geo | undefined {
  const lastNetwork = new Map<string, NetworkName>();
  return (req) => {
    const network = networkOf(req);
    const user = userOf(req);
    const previous = user === undefined ? undefined : lastNetwork.get(user);
    if (user !== undefined) lastNetwork.set(user, network);
    if (previous === 'abroad' && network !== 'abroad') return undefined;
    return { ...NETWORKS[network].geo };
  };
}
