import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { loadConfig } from '../config/load-config.js';
import { createLogger } from '../logging/logger.js';
import { startDecisionService } from '../start.js';
import './builtin-drivers.js';
import { openSqliteStores } from './sqlite/sqlite-stores.js';
import { openStores, registerStoreDriver, storeDriverTypes } from './store-drivers.js';

const log = createLogger('silent');

describe('store driver registry', () => {
  it('sqlite is the default family', () => {
    expect(loadConfig({ config: {}, env: {} }).store).toEqual({ type: 'sqlite', migrate: false });
    expect(storeDriverTypes()).toContain('sqlite');
  });

  it('reads store.url and store.redis from STEPGATE_DATABASE_URL and STEPGATE_REDIS_URL', () => {
    const config = loadConfig({
      config: { store: { type: 'postgres' } },
      env: { STEPGATE_DATABASE_URL: 'postgres://db/stepgate', STEPGATE_REDIS_URL: 'redis://r:6379/0' },
    });
    expect(config.store).toEqual({
      type: 'postgres',
      url: 'postgres://db/stepgate',
      redis: 'redis://r:6379/0',
      migrate: false,
    });
  });

  it('refuses postgres without its URLs, and URLs of another scheme, with the path', () => {
    expect(() => loadConfig({ config: { store: { type: 'postgres' } }, env: {} })).toThrow(/\/store\/url/);
    expect(() =>
      loadConfig({ config: { store: { type: 'postgres', url: 'postgres://x/y' } }, env: {} }),
    ).toThrow(/\/store\/redis/);
    expect(() => loadConfig({ config: {}, env: { STEPGATE_DATABASE_URL: 'mysql://x' } })).toThrow(
      /STEPGATE_DATABASE_URL/,
    );
  });

  it('an unknown family is a ConfigError naming the registered ones', async () => {
    const config = loadConfig({ config: { store: { type: 'nosuch' } }, env: {} });
    const opening = openStores({ config, dataDir: '/nonexistent', log });
    await expect(opening).rejects.toThrow(ConfigError);
    await expect(opening).rejects.toThrow(/"nosuch".*sqlite/);
  });

  it('a registered driver is chosen by store.type, and StartOptions.stores takes a bundle directly', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    let opened = 0;
    registerStoreDriver('custom-test', async ({ dataDir }) => {
      opened++;
      return openSqliteStores({ file: join(dataDir, 'custom.db') });
    });
    const dataDir = mkdtempSync(join(tmpdir(), 'stepgate-drv-'));
    const svc = await startDecisionService({
      dataDir,
      config: { store: { type: 'custom-test' } },
      policies: 'default: allow\npolicies: []\n',
    });
    expect(opened).toBe(1);
    expect(svc.stores.type).toBe('sqlite');
    await svc.close();
    const stores = await openSqliteStores({ file: join(dataDir, 'given.db') });
    const given = await startDecisionService({
      dataDir,
      stores,
      createKeyFile: false,
      env: { STEPGATE_MASTER_KEY: Buffer.alloc(32, 7).toString('base64url') },
      policies: 'default: allow\npolicies: []\n',
    });
    expect(given.stores).toBe(stores);
    expect(given.store).toBe(stores.store);
    await given.close();
    expect(opened).toBe(1);
  });
});
