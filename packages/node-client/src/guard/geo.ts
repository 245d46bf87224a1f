import type { Geo } from '@stepgate/protocol';
import type { RequestView } from './request-view.js';

/** The CDN headers read by default: `[country, latitude, longitude]` per provider. */
export const CDN_GEO_HEADERS = [
  ['cf-ipcountry', 'cf-iplatitude', 'cf-iplongitude'], // Cloudflare (coordinates with "visitor location headers")
  ['cloudfront-viewer-country', 'cloudfront-viewer-latitude', 'cloudfront-viewer-longitude'], // Amazon CloudFront
  ['x-vercel-ip-country', 'x-vercel-ip-latitude', 'x-vercel-ip-longitude'], // Vercel
  ['x-appengine-country', undefined, undefined], // Google App Engine
  ['fastly-geo-country', 'fastly-geo-latitude', 'fastly-geo-longitude'], // Fastly (set in VCL from client.geo.*)
] as const;

function country(value: string | undefined): string | undefined {
  const upper = value?.trim().toUpperCase();
  // `XX` is "unknown" and `T1` Tor on Cloudflare: neither is a country.
  return upper && /^[A-Z]{2}$/.test(upper) && upper !== 'XX' ? upper : undefined;
}

function coordinate(value: string | undefined, limit: number): number | undefined {
  if (value === undefined || !/^-?\d{1,3}(\.\d{1,8})?$/.test(value.trim())) return undefined;
  const n = Number(value);
  return Math.abs(n) <= limit ? n : undefined;
}

/**
 * Geo from the common CDN headers (Cloudflare, CloudFront, Vercel, App Engine, Fastly), or from
 * Akamai's `X-Akamai-Edgescape`. The caller reads it only when the TCP peer is a trusted proxy:
 * otherwise a browser could claim any location.
 */
export function geoFromCdnHeaders(view: RequestView): Geo | undefined {
  for (const [c, lat, lon] of CDN_GEO_HEADERS) {
    const found = country(view.header(c));
    if (found === undefined) continue;
    const geo: Geo = { country: found };
    const la = lat && coordinate(view.header(lat), 90);
    const lo = lon && coordinate(view.header(lon), 180);
    if (typeof la === 'number' && typeof lo === 'number') Object.assign(geo, { lat: la, lon: lo });
    return geo;
  }
  const edgescape = view.header('x-akamai-edgescape');
  if (edgescape) {
    const fields = Object.fromEntries(
      edgescape.split(',').map((kv) => kv.trim().split('=') as [string, string]),
    );
    const found = country(fields.country_code);
    if (found === undefined) return undefined;
    const la = coordinate(fields.lat, 90);
    const lo = coordinate(fields.long, 180);
    return la !== undefined && lo !== undefined ? { country: found, lat: la, lon: lo } : { country: found };
  }
  return undefined;
}
