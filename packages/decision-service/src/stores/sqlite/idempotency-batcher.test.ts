import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SqliteStore } from './sqlite-store.js';

const T0 = 1_700_000_000_000;
const stores: SqliteStore[] = [];

async function openStore(file = join(mkdtempSync(join(tmpdir(), 'stepgate-idem-')), 's.db')) {
  const store = new SqliteStore({ file });
  await store.migrate();
  stores.push(store);
  return store;
}

/** Counts the write transactions the store begins (`BEGIN IMMEDIATE`; savepoints are not counted). */
function countWriteTransactions(store: SqliteStore): () => number {
  const spy = vi.spyOn(store, 'transact');
  return () => spy.mock.calls.filter(([, immediate]) => immediate === true).length;
}

afterEach(async () => {
  vi.restoreAllMocks();
  for (const store of stores.splice(0)) await store.close();
});

describe('idempotency group commit (SQLite)', () => {
  it('claims made in one turn share one transaction and are made in order', async () => {
    const store = await openStore();
    const writes = countWriteTransactions(store);
    const claims = await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => store.claimIdempotency('key_1', `k${i}`, 'h', T0, T0 + 1000)),
      store.claimIdempotency('key_1', 'k0', 'h', T0, T0 + 1000), // the same key again, same turn
      store.claimIdempotency('key_2', 'k0', 'h', T0, T0 + 1000), // another caller's scope
    ]);
    expect(claims.slice(0, 40).every((c) => c.state === 'claimed')).toBe(true);
    expect(claims[40]).toEqual({ state: 'pending', requestHash: 'h' });
    expect(claims[41]).toEqual({ state: 'claimed' });
    expect(writes()).toBe(1);
  });

  it('answers stored in one turn share one transaction and are replayed', async () => {
    const store = await openStore();
    for (let i = 0; i < 10; i++) await store.claimIdempotency('key_1', `k${i}`, 'h', T0, T0 + 1000);
    const writes = countWriteTransactions(store);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.completeIdempotency('key_1', `k${i}`, 200, `{"n":${i}}`)),
    );
    expect(writes()).toBe(1);
    expect(await store.claimIdempotency('key_1', 'k7', 'h', T0 + 10, T0 + 1000)).toEqual({
      state: 'done',
      requestHash: 'h',
      status: 200,
      response: '{"n":7}',
    });
  });

  it('a claim that fails leaves nothing behind and fails only its own caller', async () => {
    const store = await openStore();
    store.db.exec(
      "CREATE TRIGGER refuse_bad BEFORE INSERT ON idempotency WHEN NEW.key = 'bad' BEGIN SELECT RAISE(ABORT, 'refused'); END",
    );
    const results = await Promise.allSettled([
      store.claimIdempotency('key_1', 'a', 'h', T0, T0 + 1000),
      store.claimIdempotency('key_1', 'bad', 'h', T0, T0 + 1000),
      store.claimIdempotency('key_1', 'b', 'h', T0, T0 + 1000),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ message: 'refused' });
    const keys = store.db.prepare('SELECT key FROM idempotency ORDER BY key').pluck().all();
    expect(keys).toEqual(['a', 'b']);
  });

  it('close() writes the claims and answers still queued', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'stepgate-idem-')), 's.db');
    const store = new SqliteStore({ file });
    await store.migrate();
    await store.claimIdempotency('key_1', 'done', 'h', T0, T0 + 1000);
    const queued = [
      store.claimIdempotency('key_1', 'late', 'h', T0, T0 + 1000),
      store.completeIdempotency('key_1', 'done', 200, '{"ok":true}'),
    ];
    await store.close();
    await Promise.all(queued);
    const reopened = await openStore(file);
    expect((await reopened.claimIdempotency('key_1', 'late', 'h', T0, T0 + 1000)).state).toBe('pending');
    expect((await reopened.claimIdempotency('key_1', 'done', 'h', T0, T0 + 1000)).state).toBe('done');
  });
});
