import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildMmdb } from '../../test/fixtures/mmdb-writer.js';
import { openMaxmind } from './geo-resolver.js';

describe('openMaxmind', () => {
  it('resolves an IP to country and position from a MaxMind-format database', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'stepgate-geo-')), 'city.mmdb');
    writeFileSync(
      file,
      buildMmdb([
        ['203.0.113.0/24', { country: { iso_code: 'JP' }, location: { latitude: 35.68, longitude: 139.69 } }],
        ['198.51.100.0/24', { country: { iso_code: 'FR' } }],
      ]),
    );
    const geo = await openMaxmind(file);
    expect(geo.lookup('203.0.113.9')).toEqual({ country: 'JP', lat: 35.68, lon: 139.69 });
    expect(geo.lookup('198.51.100.200')).toEqual({ country: 'FR' });
    expect(geo.lookup('192.0.2.1')).toBeUndefined();
    expect(geo.lookup('not an ip')).toBeUndefined();
    geo.close();
  });

  it('refuses a file that is not a MaxMind database', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'stepgate-geo-')), 'bad.mmdb');
    writeFileSync(file, 'hello');
    await expect(openMaxmind(file)).rejects.toThrow();
  });
});
