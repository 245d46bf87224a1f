import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { describeWebAuthnStoreContract } from '../contract/webauthn-store-contract.js';
import { SqliteStore } from './sqlite-store.js';
import { SqliteWebAuthnStore } from './sqlite-webauthn-store.js';

const openFile = async () => {
  const main = new SqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'stepgate-wa-')), 'stepgate.db') });
  await main.migrate();
  return main;
};

describeWebAuthnStoreContract('sqlite (file, WAL)', async () => {
  const store = new SqliteWebAuthnStore((await openFile()).db);
  await store.migrate();
  await store.migrate();
  return { store };
});

describeWebAuthnStoreContract('sqlite (file, WAL, durable writes group-committed)', async () => {
  const main = await openFile();
  const store = new SqliteWebAuthnStore(main.db, (work) => main.durably(work));
  await store.migrate();
  return { store };
});

describe('SqliteWebAuthnStore', () => {
  it('S36: a credential table from before backup_state gains the column; old rows start not backed up', async () => {
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE webauthn_credentials (
      credential_id TEXT PRIMARY KEY, factor_id TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL, counter INTEGER NOT NULL
    )`);
    db.prepare("INSERT INTO webauthn_credentials VALUES ('c1', 'f1', 'u1', 7)").run();
    const store = new SqliteWebAuthnStore(db);
    await store.migrate();
    await store.migrate();
    expect(await store.getCredential('c1')).toEqual({
      credentialId: 'c1',
      factorId: 'f1',
      userId: 'u1',
      counter: 7,
      backupState: false,
    });
    expect(await store.recordAssertion('c1', 7, { counter: 8, backupState: true })).toBe(true);
    expect((await store.getCredential('c1'))?.backupState).toBe(true);
  });

  it('S13, S14: credential inserts, deletions and assertion compare-and-sets commit with synchronous = FULL, and the connection returns to NORMAL', async () => {
    const main = await openFile();
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
      await durable.insertCredential({
        credentialId: 'c1',
        factorId: 'f1',
        userId: 'u1',
        counter: 5,
        backupState: false,
      }),
    ).toBe(true);
    expect(levels).toEqual([2]);
    expect(await durable.recordAssertion('c1', 5, { counter: 6, backupState: true })).toBe(true);
    expect(levels).toEqual([2, 2]);
    await durable.deleteByFactor('f1');
    expect(await durable.getCredential('c1')).toBeUndefined();
    expect(levels).toEqual([2, 2, 2]);
    expect(main.db.pragma('synchronous', { simple: true })).toBe(1);
    await main.close();
  });
});
