import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { newDecisionId } from '../../ids.js';
import { describeStoreContract } from '../contract/store-contract.js';
import type { DecisionEffects } from '../store.js';
import { MIGRATIONS } from './migrations.js';
import { SqliteChallengeStore } from './sqlite-challenge-store.js';
import { SqliteStore } from './sqlite-store.js';

describeStoreContract('sqlite (file, WAL)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stepgate-store-'));
  return new SqliteStore({ file: join(dir, 'stepgate.db') });
});

const FULL = 2;
const NORMAL = 1;

/** A migrated store on a file of its own. */
async function freshStore(): Promise<SqliteStore> {
  const store = new SqliteStore({
    file: join(mkdtempSync(join(tmpdir(), 'stepgate-store-')), 'stepgate.db'),
  });
  await store.migrate();
  return store;
}

/**
 * A fresh store on a file, seeded, then observed: the `synchronous` level in force inside each
 * transaction it opens from now on (savepoints inside one are not counted). SQLite refuses to change
 * the level inside a transaction, so the level seen there is the one its commit runs with.
 */
async function observedStore(seed: (store: SqliteStore) => Promise<unknown> = async () => {}) {
  const store = await freshStore();
  await seed(store);
  const levels: number[] = [];
  const transact = store.transact.bind(store);
  store.transact = ((fn: () => unknown, immediate?: boolean) =>
    store.db.inTransaction
      ? transact(fn, immediate)
      : transact(() => {
          levels.push(store.db.pragma('synchronous', { simple: true }) as number);
          return fn();
        }, immediate)) as typeof store.transact;
  return { store, levels };
}

const factor = { id: 'f1', userId: 'u1', method: 'totp', maxLevel: 'aal2', createdAt: 0 } as const;

/** Writes whose loss to a power failure would reopen an attack: each must be fsynced before it resolves. */
const durableWrites: Array<{
  name: string;
  seed?: (store: SqliteStore) => Promise<unknown>;
  write: (store: SqliteStore) => Promise<unknown>;
}> = [
  {
    name: 'S17: a jti consumption',
    write: async (s) => expect(await s.consumeJti('durable', 2e12, 1e12)).toBe(true),
  },
  {
    name: 'S31: a factor insertion',
    write: async (s) => {
      await s.insertFactor(factor);
      expect(await s.listFactors('u1')).toHaveLength(1);
    },
  },
  {
    name: 'S31: a factor deletion',
    seed: (s) => s.insertFactor(factor),
    write: async (s) => expect(await s.deleteFactor('u1', 'f1')).toBe(true),
  },
  {
    name: 'S31: removing a contact point (an email is an email_otp factor)',
    seed: (s) => s.upsertUser({ id: 'u1', email: 'ann@example.com', updatedAt: 0 }),
    write: async (s) => {
      await s.upsertUser({ id: 'u1', updatedAt: 1 });
      expect((await s.getUser('u1'))?.email).toBeUndefined();
    },
  },
  {
    name: 'an API key revocation',
    seed: (s) => s.insertApiKey({ id: 'k1', hash: 'h1', audience: 'app', admin: false, createdAt: 0 }),
    write: async (s) => expect(await s.revokeApiKey('k1', 1)).toBe(true),
  },
  {
    name: 'S25: a remembered-device revocation for one device',
    seed: (s) => s.insertDeviceToken({ jti: 'j1', userId: 'u1', deviceId: 'd1', issuedAt: 0, expiresAt: 9 }),
    write: async (s) => expect(await s.revokeDeviceTokens('u1', 'd1', 1)).toBe(1),
  },
  {
    name: 'S25: a remembered-device revocation for every device',
    seed: (s) => s.insertDeviceToken({ jti: 'j1', userId: 'u1', deviceId: 'd1', issuedAt: 0, expiresAt: 9 }),
    write: async (s) => expect(await s.revokeDeviceTokens('u1', undefined, 1)).toBe(1),
  },
  {
    name: 'S19: a signing key retirement',
    seed: async (s) => {
      for (const kid of ['old', 'new'])
        await s.insertSigningKey({
          kid,
          use: 'step_up',
          alg: 'ES256',
          publicJwk: '{}',
          privateSealed: 'v1.x',
          createdAt: 0,
        });
    },
    write: async (s) => {
      await s.retireSigningKeys('step_up', 'new', 1);
      expect((await s.listSigningKeys('step_up')).map((k) => [k.kid, k.retiredAt])).toEqual([
        ['new', undefined],
        ['old', 1],
      ]);
    },
  },
];

describe('SqliteStore', () => {
  it('uses WAL and records the migration version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepgate-store-'));
    const store = new SqliteStore({ file: join(dir, 'stepgate.db') });
    await store.migrate();
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('user_version', { simple: true })).toBeGreaterThan(0);
    await store.close();
  });

  it('purges decisions and device tokens through an index, never by reading the whole table', async () => {
    const store = await freshStore();
    const plan = (sql: string, ...params: unknown[]) =>
      (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>)
        .map((r) => r.detail)
        .join('; ');
    expect(
      plan('SELECT id FROM decisions WHERE id < ? AND at < ? ORDER BY id LIMIT ?', 'dec_1', 1, 10),
    ).toMatch(/SEARCH decisions USING (PRIMARY KEY|INDEX sqlite_autoindex_decisions_1) \(id<\?\)/);
    expect(plan('DELETE FROM device_tokens WHERE expires_at < ?', 1)).toMatch(
      /SEARCH device_tokens USING INDEX device_tokens_expiry \(expires_at<\?\)/,
    );
    await store.close();
  });

  it('purges many decisions in chunks, letting the event loop turn between them', async () => {
    const store = await freshStore();
    const insert = store.db.prepare(
      `INSERT INTO decisions (id, at, user_id, action, decision, api_key_id, policy_version)
         VALUES (?, ?, 'u1', 'a.b', 'allow', 'key_1', 'v1')`,
    );
    const at = (i: number) => 1_800_000_000_000 + i;
    store.transact(() => {
      for (let i = 0; i < 4500; i++) insert.run(newDecisionId(at(i)), at(i));
    });
    let turns = 0;
    const tick = () => {
      turns++;
      if (turns < 100) setImmediate(tick);
    };
    setImmediate(tick);
    // Everything before the 4,400th decision: three chunks (2,000 + 2,000 + 400).
    expect(await store.purgeExpired(at(0), { decisions: at(4400) })).toBe(4400);
    expect(turns).toBeGreaterThanOrEqual(2);
    expect(store.db.prepare('SELECT count(*) FROM decisions').pluck().get()).toBe(100);
    await store.close();
  });

  it('a store made before migration 8 loses the index of decisions by user; its decisions stay readable by id', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'stepgate-store-')), 'stepgate.db');
    const old = new Database(file);
    for (const m of MIGRATIONS.slice(0, 7)) old.exec(m);
    old.pragma('user_version = 7');
    old
      .prepare(
        `INSERT INTO decisions (id, at, user_id, action, decision, api_key_id, policy_version)
           VALUES ('dec_old', 1, 'u1', 'payments.transfer', 'step_up', 'key_1', 'v1')`,
      )
      .run();
    expect(old.prepare("SELECT name FROM sqlite_master WHERE name = 'decisions_user'").get()).toBeDefined();
    old.close();
    const store = new SqliteStore({ file });
    await store.migrate();
    expect(store.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const indexes = store.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'decisions'")
      .pluck()
      .all();
    // Issue 18: only the primary key's own index is left (nothing reads decisions by user).
    expect(indexes).toEqual(['sqlite_autoindex_decisions_1']);
    expect(await store.getDecision('dec_old')).toMatchObject({ userId: 'u1', decision: 'step_up' });
    expect(await store.setFeedback('dec_old', 'fraud', undefined, 2)).toBe(true);
    await store.close();
  });

  for (const { name, seed, write } of durableWrites) {
    it(`${name} commits with synchronous = FULL (fsynced before the answer), and the connection returns to NORMAL`, async () => {
      const { store, levels } = await observedStore(seed);
      await write(store);
      expect(levels).toEqual([FULL]);
      expect(store.db.pragma('synchronous', { simple: true })).toBe(NORMAL);
      await store.close();
    });
  }

  it('other writes (here a purge) keep synchronous = NORMAL', async () => {
    const { store, levels } = await observedStore();
    await store.purgeExpired(1e12, { history: 1e12, decisions: 1e12 });
    // Two commits: the expired state, then the decisions (one chunk).
    expect(levels).toEqual([NORMAL, NORMAL]);
    await store.close();
  });

  it('S17: token ids consumed in one event-loop turn share one fsynced commit, each consumed once', async () => {
    const { store, levels } = await observedStore();
    const results = await Promise.all(['a', 'b', 'a', 'c'].map((jti) => store.consumeJti(jti, 2e12, 1e12)));
    expect(results).toEqual([true, true, false, true]);
    expect(levels).toEqual([FULL]);
    expect(store.db.pragma('synchronous', { simple: true })).toBe(NORMAL);
    // A later turn sees them consumed; an expired row may be taken again.
    expect(await store.consumeJti('b', 2e12, 1e12)).toBe(false);
    expect(await store.consumeJti('c', 2e12 + 10, 2e12 + 1)).toBe(true);
    expect(levels).toEqual([FULL, FULL, FULL]);
    await store.close();
  });

  it('a durable write that throws fails only its own caller and leaves nothing behind', async () => {
    const { store, levels } = await observedStore();
    const results = await Promise.allSettled([
      store.consumeJti('a', 2e12, 1e12),
      store.durably(() => {
        store.sql('INSERT INTO used_jtis (jti, expires_at) VALUES (?, ?)').run('half', 2e12);
        throw new Error('boom');
      }),
      store.consumeJti('b', 2e12, 1e12),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(levels).toEqual([FULL]);
    // Its row was rolled back with its savepoint; the others' were committed.
    expect(await store.consumeJti('half', 2e12, 1e12)).toBe(true);
    expect(await store.consumeJti('a', 2e12, 1e12)).toBe(false);
    await store.close();
  });

  it('S17: a consumption still queued when the store closes is committed first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepgate-store-'));
    const file = join(dir, 'stepgate.db');
    const store = new SqliteStore({ file });
    await store.migrate();
    const consumed = store.consumeJti('late', 2e12, 1e12);
    await store.close();
    expect(await consumed).toBe(true);
    const reopened = new SqliteStore({ file });
    expect(await reopened.consumeJti('late', 2e12, 1e12)).toBe(false);
    await reopened.close();
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

  it('stores a step-up challenge and its binding with the decision, all or nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepgate-store-'));
    const store = new SqliteStore({ file: join(dir, 'stepgate.db') });
    const challenges = new SqliteChallengeStore(store.db);
    await store.migrate();
    await challenges.migrate();
    const at = 1_800_000_000_000;
    const effects = (decisionId: string, challengeId: string): DecisionEffects => ({
      decision: {
        id: decisionId,
        at,
        userId: 'u1',
        action: 'payments.transfer',
        decision: 'step_up',
        apiKeyId: 'key1',
        policyVersion: 'v1',
      },
      userId: 'u1',
      action: 'payments.transfer',
      at,
      challenge: {
        record: {
          id: challengeId,
          userId: 'u1',
          action: 'payments.transfer',
          digest: 'dg',
          requirement: '{"level":"aal2"}',
          methods: ['totp'],
          decisionId,
          audience: 'app',
          createdAt: at,
          expiresAt: at + 300_000,
          status: 'pending',
          attempts: 0,
        },
        binding: { challengeId, factorIds: ['fac_1'], sessionLevel: 'aal1', expiresAt: at + 300_000 },
      },
    });
    await store.recordDecision(effects('dec_1', 'chl_1'));
    expect((await challenges.getChallenge('chl_1'))?.decisionId).toBe('dec_1');
    expect((await challenges.getBinding('chl_1'))?.factorIds).toEqual(['fac_1']);
    // A decision that cannot be written (its id is taken) leaves no challenge behind.
    await expect(store.recordDecision(effects('dec_1', 'chl_2'))).rejects.toThrow();
    expect(await challenges.getChallenge('chl_2')).toBeUndefined();
    expect(await challenges.getBinding('chl_2')).toBeUndefined();
    await store.close();
  });
});
