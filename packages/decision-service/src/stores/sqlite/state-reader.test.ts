import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';

async function storeWithUsers(): Promise<SqliteStore> {
  const store = new SqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'stepgate-reads-')), 's.db') });
  await store.migrate();
  for (let i = 0; i < 5; i++)
    await store.upsertUser({ id: `u${i}`, email: `u${i}@example.com`, updatedAt: 1 });
  return store;
}

describe('loadUserState read batching', () => {
  it('reads asked for in one turn share one read transaction and each gets its own user', async () => {
    const store = await storeWithUsers();
    const transact = store.transact.bind(store);
    let transactions = 0;
    store.transact = ((fn: () => unknown, immediate?: boolean) => {
      transactions += 1;
      return transact(fn, immediate);
    }) as typeof store.transact;
    const states = await Promise.all(
      Array.from({ length: 5 }, (_, i) => store.loadUserState({ userId: `u${i}`, windowStart: 0 })),
    );
    expect(transactions).toBe(1);
    expect(states.map((s) => s.user?.email)).toEqual([0, 1, 2, 3, 4].map((i) => `u${i}@example.com`));
    // A later turn gets a new snapshot: what was committed in between is seen.
    await store.upsertUser({ id: 'u0', email: 'new@example.com', updatedAt: 2 });
    expect((await store.loadUserState({ userId: 'u0', windowStart: 0 })).user?.email).toBe('new@example.com');
    expect(transactions).toBe(3);
    await store.close();
  });

  it('a read that fails rejects only its own caller', async () => {
    const store = await storeWithUsers();
    const results = await Promise.allSettled([
      store.loadUserState({ userId: 'u1', windowStart: 0 }),
      // A bound value SQLite cannot take: this read throws inside the shared transaction.
      store.loadUserState({ userId: { not: 'a string' } as unknown as string, windowStart: 0 }),
      store.loadUserState({ userId: 'u2', windowStart: 0 }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    await store.close();
  });
});
