import { describe, expect, it } from 'vitest';
import { geoFromCdnHeaders } from './geo.js';
import { viewFromNodeHeaders } from './request-view.js';

const geo = (headers: Record<string, string>) =>
  geoFromCdnHeaders(viewFromNodeHeaders('GET', '/', headers, undefined, false));

describe('geo from CDN headers', () => {
  it('reads each provider', () => {
    expect(geo({ 'cf-ipcountry': 'FR', 'cf-iplatitude': '48.8566', 'cf-iplongitude': '2.3522' })).toEqual({
      country: 'FR',
      lat: 48.8566,
      lon: 2.3522,
    });
    expect(geo({ 'cloudfront-viewer-country': 'us' })).toEqual({ country: 'US' });
    expect(
      geo({ 'x-vercel-ip-country': 'JP', 'x-vercel-ip-latitude': '35.6', 'x-vercel-ip-longitude': '139.7' }),
    ).toEqual({
      country: 'JP',
      lat: 35.6,
      lon: 139.7,
    });
    expect(geo({ 'x-appengine-country': 'BR' })).toEqual({ country: 'BR' });
    expect(
      geo({ 'x-akamai-edgescape': 'georegion=246,country_code=DE,city=BERLIN,lat=52.52,long=13.40' }),
    ).toEqual({
      country: 'DE',
      lat: 52.52,
      lon: 13.4,
    });
  });

  it('ignores unknown, Tor and malformed values', () => {
    expect(geo({ 'cf-ipcountry': 'XX' })).toBeUndefined();
    expect(geo({ 'cf-ipcountry': 'T1' })).toBeUndefined();
    expect(geo({ 'cf-ipcountry': 'France' })).toBeUndefined();
    expect(geo({ 'cf-ipcountry': 'FR', 'cf-iplatitude': '95', 'cf-iplongitude': '2' })).toEqual({
      country: 'FR',
    });
    expect(geo({ 'cf-ipcountry': 'FR', 'cf-iplatitude': '1e3', 'cf-iplongitude': '2' })).toEqual({
      country: 'FR',
    });
    expect(geo({})).toBeUndefined();
  });
});
