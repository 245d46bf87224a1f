import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApiKey } from '../secrets/api-keys.js';
import { Sealer } from '../secrets/sealer.js';
import type { ServiceContext } from '../service-context.js';
import { SqliteStore } from '../stores/sqlite/sqlite-store.js';
import { ApiKeyCache, authorize } from './auth.js';

async function setup() {
  const store = new SqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'stepgate-auth-')), 'stepgate.db') });
  await store.migrate();
  const sealer = new Sealer(Buffer.alloc(32, 3));
  const ctx = { store, sealer, config: { users: { manageAudiences: [] } } } as unknown as ServiceContext;
  const { id, key } = await createApiKey(store, sealer, { audience: 'app', admin: false, now: 0 });
  const finds = vi.spyOn(store, 'findApiKeyByHash');
  const hmacs = vi.spyOn(sealer, 'hmac');
  return { store, cache: new ApiKeyCache(ctx), id, key, finds, hmacs };
}

describe('ApiKeyCache', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('asks the store (by HMAC) once per key, then answers from memory without an HMAC', async () => {
    const { store, cache, id, key, finds, hmacs } = await setup();
    for (let i = 0; i < 3; i++) expect((await authorize(cache, `Bearer ${key}`, 'api')).apiKeyId).toBe(id);
    expect(finds).toHaveBeenCalledTimes(1);
    expect(hmacs).toHaveBeenCalledTimes(1);
    await store.close();
  });

  it('a revoked key is refused once its cache entry is 30 s old', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000_000);
    const { store, cache, id, key } = await setup();
    expect((await cache.lookup(key))?.id).toBe(id);
    expect(await store.revokeApiKey(id, 1_000_001)).toBe(true);
    vi.setSystemTime(1_029_999);
    expect((await cache.lookup(key))?.revokedAt).toBeUndefined();
    vi.setSystemTime(1_030_000);
    await expect(authorize(cache, `Bearer ${key}`, 'api')).rejects.toMatchObject({ code: 'unauthorized' });
    await store.close();
  });

  it('does not remember unknown keys, nor take a key for another', async () => {
    const { store, cache, key, finds } = await setup();
    for (let i = 0; i < 2; i++) expect(await cache.lookup(`${key}x`)).toBeUndefined();
    expect(finds).toHaveBeenCalledTimes(2);
    expect(await cache.lookup(key.slice(0, -1))).toBeUndefined();
    await store.close();
  });
});
