import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeStoreContract } from '../contract/store-contract.js';
import { SqliteStore } from './sqlite-store.js';

describeStoreContract('sqlite (file, WAL)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stepgate-store-'));
  return new SqliteStore({ file: join(dir, 'stepgate.db') });
});

describe('SqliteStore', () => {
  it('uses WAL and records the migration version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepgate-store-'));
    const store = new SqliteStore({ file: join(dir, 'stepgate.db') });
    await store.migrate();
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('user_version', { simple: true })).toBeGreaterThan(0);
    await store.close();
  });

  it('S17: a jti consumption is committed with synchronous = FULL (fsynced before the answer), other writes stay NORMAL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepgate-store-'));
    const store = new SqliteStore({ file: join(dir, 'stepgate.db') });
    await store.migrate();
    const FULL = 2;
    const NORMAL = 1;
    const seen: number[] = [];
    // Observe the level in force while the consuming transaction runs.
    const transact = store.transact.bind(store);
    store.transact = ((fn: () => unknown, immediate?: boolean) =>
      transact(() => {
        seen.push(store.db.pragma('synchronous', { simple: true }) as number);
        return fn();
      }, immediate)) as typeof store.transact;
    expect(await store.consumeJti('durable', 2e12, 1e12)).toBe(true);
    expect(seen).toEqual([FULL]);
    expect(store.db.pragma('synchronous', { simple: true })).toBe(NORMAL);
    await store.close();
  });

  it('S17: two connections to one file consume a jti exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepgate-store-'));
    const a = new SqliteStore({ file: join(dir, 'stepgate.db') });
    const b = new SqliteStore({ file: join(dir, 'stepgate.db') });
    await a.migrate();
    await b.migrate();
    const results = await Promise.all([a.consumeJti('j', 2e12, 1e12), b.consumeJti('j', 2e12, 1e12)]);
    expect(results.sort()).toEqual([false, true]);
    await a.close();
    await b.close();
  });
});
