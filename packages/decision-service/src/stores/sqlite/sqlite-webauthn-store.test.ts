import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';
import { SqliteWebAuthnStore } from './sqlite-webauthn-store.js';

describe('SqliteWebAuthnStore', () => {
  let store: SqliteWebAuthnStore;
  beforeEach(async () => {
    store = new SqliteWebAuthnStore(new Database(':memory:'));
    await store.migrate();
    await store.migrate();
  });
  const record = (over = {}) => ({
    key: 'chl_1',
    purpose: 'authenticate' as const,
    userId: 'u1',
    method: 'webauthn' as const,
    nonce: 'n1',
    userVerification: true,
    expiresAt: 1000,
    ...over,
  });

  it('S11: a challenge is taken once, and never after it expired', async () => {
    await store.putChallenge(record());
    expect(await store.takeChallenge('chl_1', 999)).toEqual(record());
    expect(await store.takeChallenge('chl_1', 999)).toBeUndefined();
    await store.putChallenge(record());
    expect(await store.takeChallenge('chl_1', 1000)).toBeUndefined();
    await store.putChallenge(record({ expiresAt: 10 }));
    expect(await store.purgeExpired(10)).toBe(1);
  });

  it('S11: a second start replaces the nonce', async () => {
    await store.putChallenge(record());
    await store.putChallenge(record({ nonce: 'n2' }));
    expect((await store.takeChallenge('chl_1', 0))?.nonce).toBe('n2');
  });

  it('S13: a credential id belongs to one factor of one user', async () => {
    expect(
      await store.insertCredential({ credentialId: 'c1', factorId: 'f1', userId: 'u1', counter: 0 }),
    ).toBe(true);
    expect(
      await store.insertCredential({ credentialId: 'c1', factorId: 'f2', userId: 'u2', counter: 0 }),
    ).toBe(false);
    expect(await store.getCredential('c1')).toEqual({
      credentialId: 'c1',
      factorId: 'f1',
      userId: 'u1',
      counter: 0,
    });
    await store.deleteByFactor('f1');
    expect(await store.getCredential('c1')).toBeUndefined();
  });

  it('S13, S14: credential inserts, deletions and counter compare-and-sets commit with synchronous = FULL, and the connection returns to NORMAL', async () => {
    const main = new SqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'stepgate-wa-')), 'stepgate.db') });
    await main.migrate();
    const durable = new SqliteWebAuthnStore(main.db);
    await durable.migrate();
    const levels: number[] = [];
    // Observe the level in force inside each transaction the store opens (SQLite refuses to change
    // it inside one, so it is the level of that commit).
    const transaction = main.db.transaction.bind(main.db);
    main.db.transaction = ((fn: (...args: unknown[]) => unknown) =>
      transaction((...args: unknown[]) => {
        levels.push(main.db.pragma('synchronous', { simple: true }) as number);
        return fn(...args);
      })) as typeof main.db.transaction;
    expect(
      await durable.insertCredential({ credentialId: 'c1', factorId: 'f1', userId: 'u1', counter: 5 }),
    ).toBe(true);
    expect(levels).toEqual([2]);
    expect(await durable.advanceCounter('c1', 5, 6)).toBe(true);
    expect(levels).toEqual([2, 2]);
    await durable.deleteByFactor('f1');
    expect(await durable.getCredential('c1')).toBeUndefined();
    expect(levels).toEqual([2, 2, 2]);
    expect(main.db.pragma('synchronous', { simple: true })).toBe(1);
    await main.close();
  });

  it('S14: the counter advances only from the value that was checked (compare-and-set)', async () => {
    await store.insertCredential({ credentialId: 'c1', factorId: 'f1', userId: 'u1', counter: 5 });
    expect(await store.advanceCounter('c1', 5, 6)).toBe(true);
    expect(await store.advanceCounter('c1', 5, 7)).toBe(false);
    expect((await store.getCredential('c1'))?.counter).toBe(6);
    // A passkey that always reports 0 stays at 0.
    await store.insertCredential({ credentialId: 'c0', factorId: 'f0', userId: 'u1', counter: 0 });
    expect(await store.advanceCounter('c0', 0, 0)).toBe(true);
  });
});
