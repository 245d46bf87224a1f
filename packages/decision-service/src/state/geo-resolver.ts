import type { Geo } from '@stepgate/protocol';
import maxmind, { type CityResponse, type Reader } from 'maxmind';

/** Resolves an IP address to a position; `undefined` when unknown. */
export interface GeoResolver {
  lookup(ip: string): Geo | undefined;
  close(): void;
}

/** Builds a {@link Geo} from a MaxMind City (or Country) record. */
export function geoFromRecord(record: CityResponse | null | undefined): Geo | undefined {
  if (!record) return undefined;
  const geo: Geo = {};
  const country = record.country?.iso_code ?? record.registered_country?.iso_code;
  if (country) geo.country = country;
  if (typeof record.location?.latitude === 'number' && typeof record.location.longitude === 'number') {
    geo.lat = record.location.latitude;
    geo.lon = record.location.longitude;
  }
  return Object.keys(geo).length ? geo : undefined;
}

/**
 * Opens a MaxMind-format database (GeoLite2/GeoIP2 City or Country) with the `maxmind` reader.
 *
 * @throws Error when the file cannot be opened or is not a MaxMind database.
 */
export async function openMaxmind(file: string): Promise<GeoResolver> {
  const reader: Reader<CityResponse> = await maxmind.open<CityResponse>(file, { cache: { max: 10_000 } });
  return {
    lookup(ip) {
      if (!maxmind.validate(ip)) return undefined;
      try {
        return geoFromRecord(reader.get(ip));
      } catch {
        return undefined;
      }
    },
    close() {},
  };
}
