import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { describeChallengeStoreContract } from '../contract/challenge-store-contract.js';
import { MIGRATIONS } from './migrations.js';
import { SqliteChallengeStore } from './sqlite-challenge-store.js';
import { SqliteStore } from './sqlite-store.js';

/** `grouped`: durable writes through the main store's group commit, as `openSqliteStores` wires it. */
async function open(file: string, grouped = false) {
  const main = new SqliteStore({ file });
  await main.migrate();
  const store = grouped
    ? new SqliteChallengeStore(main.db, (work) => main.durably(work))
    : new SqliteChallengeStore(main.db);
  await store.migrate();
  return { main, store };
}

const attempt = (challengeId: string) => ({
  challengeId,
  maxFailures: 5,
  user: { key: 'user:u', freeFailures: 10 },
  authenticators: [{ key: 'factor:f', freeFailures: 5, lockAt: 20 }],
  backoff: { baseMs: 30_000, maxMs: 3_600_000 },
  now: 0,
});

const challengeRow = (id: string, expiresAt: number) => ({
  id,
  userId: 'u',
  action: 'a',
  digest: 'd',
  requirement: '{}',
  methods: ['totp' as const],
  decisionId: 'dec',
  audience: 'default',
  createdAt: 0,
  expiresAt,
  status: 'pending' as const,
  attempts: 0,
});

describeChallengeStoreContract('sqlite (file, WAL)', async () => {
  const { main, store } = await open(join(mkdtempSync(join(tmpdir(), 'stepgate-cs-')), 'stepgate.db'));
  return { store, close: () => main.close() };
});

describeChallengeStoreContract('sqlite (file, WAL, durable writes group-committed)', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'stepgate-cs-')), 'stepgate.db');
  const { main, store } = await open(file, true);
  return { store, close: () => main.close() };
});

describe('SqliteChallengeStore', () => {
  it('deletes a verified challenge a day after its expiry, as its Redis key expires', async () => {
    const { main, store } = await open(join(mkdtempSync(join(tmpdir(), 'stepgate-cs-')), 'stepgate.db'));
    await store.insertChallenge(challengeRow('chl_done', 1000));
    await store.insertChallenge(challengeRow('chl_open', 1000));
    expect(await store.completeChallenge('chl_done', 500)).toBe('ok');
    expect(await store.purgeExpired(1001)).toBe(1);
    expect(await store.getChallenge('chl_open')).toBeUndefined();
    expect((await store.getChallenge('chl_done'))?.status).toBe('verified');
    await store.purgeExpired(1000 + 86_400_000);
    expect(await store.getChallenge('chl_done')).toBeDefined();
    await store.purgeExpired(1001 + 86_400_000);
    expect(await store.getChallenge('chl_done')).toBeUndefined();
    await main.close();
  });

  it('S6, S7: counted attempts and accepted TOTP steps commit with synchronous = FULL, and the connection returns to NORMAL', async () => {
    const { main, store } = await open(join(mkdtempSync(join(tmpdir(), 'stepgate-cs-')), 'stepgate.db'));
    await store.insertChallenge(challengeRow('chl_durable', 10_000));
    const levels: number[] = [];
    // Observe the level in force inside each transaction the store opens.
    const transaction = main.db.transaction.bind(main.db);
    main.db.transaction = ((fn: (...args: unknown[]) => unknown) =>
      transaction((...args: unknown[]) => {
        levels.push(main.db.pragma('synchronous', { simple: true }) as number);
        return fn(...args);
      })) as typeof main.db.transaction;
    expect(
      await store.reserveAttempt({
        challengeId: 'chl_durable',
        maxFailures: 5,
        user: { key: 'user:u', freeFailures: 10 },
        authenticators: [{ key: 'factor:f', freeFailures: 5, lockAt: 20 }],
        backoff: { baseMs: 30_000, maxMs: 3_600_000 },
        now: 0,
      }),
    ).toBeDefined();
    expect(await store.completeChallenge('chl_durable', 0, { factorId: 'f', step: 7 })).toBe('ok');
    expect(await store.advanceTotpStep('f', 8)).toBe(true);
    expect(levels).toEqual([2, 2, 2]);
    expect(main.db.pragma('synchronous', { simple: true })).toBe(1);
    await main.close();
  });

  it('S33: a store made before enrollment tickets kept their proven level gains the column, old tickets intact', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'stepgate-cs-')), 'stepgate.db');
    const old = new Database(file);
    for (const m of MIGRATIONS.slice(0, 3)) old.exec(m);
    old.pragma('user_version = 3');
    old
      .prepare(
        `INSERT INTO enrollment_tickets (id, user_id, methods, created_at, expires_at, attempts) VALUES ('t0', 'u', '["totp"]', 0, 9e12, 0)`,
      )
      .run();
    old.close();
    const { main, store } = await open(file);
    expect(main.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(await store.getTicket('t0')).toMatchObject({ userId: 'u', methods: ['totp'] });
    expect(await store.getTicket('t0')).not.toHaveProperty('provenLevel');
    await store.insertTicket({
      id: 't1',
      userId: 'u',
      methods: ['totp'],
      createdAt: 0,
      expiresAt: 9e12,
      attempts: 0,
      provenLevel: 'aal3',
    });
    expect((await store.getTicket('t1'))?.provenLevel).toBe('aal3');
    await main.close();
  });

  it('S6, S7: through the main store, the attempts and TOTP steps of one turn share one fsynced commit', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'stepgate-cs-')), 'stepgate.db');
    const { main, store } = await open(file, true);
    for (const id of ['c1', 'c2', 'c3']) await store.insertChallenge(challengeRow(id, 10_000));
    const levels: number[] = [];
    // Observe the level in force inside each transaction the main store opens (not its savepoints).
    const transact = main.transact.bind(main);
    main.transact = ((fn: () => unknown, immediate?: boolean) =>
      main.db.inTransaction
        ? transact(fn, immediate)
        : transact(() => {
            levels.push(main.db.pragma('synchronous', { simple: true }) as number);
            return fn();
          }, immediate)) as typeof main.transact;
    const [first, second] = await Promise.all([
      store.reserveAttempt(attempt('c1')),
      store.reserveAttempt(attempt('c2')),
    ]);
    // In order, each in its own savepoint: the user's counter went up once for each.
    expect([first?.failures['user:u'], second?.failures['user:u']]).toEqual([1, 2]);
    expect(levels).toEqual([2]);
    const outcomes = await Promise.all([
      store.completeChallenge('c1', 0, { factorId: 'f', step: 7 }),
      store.completeChallenge('c2', 0, { factorId: 'f', step: 7 }),
      store.completeChallenge('c3', 0, { factorId: 'g', step: 7 }),
      store.advanceTotpStep('g', 6),
    ]);
    // The second use of step 7 of factor f in the same turn is a replay, and left c2 pending.
    expect(outcomes).toEqual(['ok', 'replay', 'ok', false]);
    expect(levels).toEqual([2, 2]);
    expect((await store.getChallenge('c2'))?.status).toBe('pending');
    expect(main.db.pragma('synchronous', { simple: true })).toBe(1);
    await main.close();
  });

  it('S6: two connections to one file accept a TOTP step exactly once', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'stepgate-cs-')), 'stepgate.db');
    const a = await open(file);
    const b = await open(file);
    await a.store.insertChallenge(challengeRow('c1', 2e12));
    const results = await Promise.all([
      a.store.completeChallenge('c1', 1e12, { factorId: 'f', step: 7 }),
      b.store.completeChallenge('c1', 1e12, { factorId: 'f', step: 7 }),
    ]);
    expect(results.sort()).toEqual(['not_pending', 'ok']);
    await a.main.close();
    await b.main.close();
  });
});
