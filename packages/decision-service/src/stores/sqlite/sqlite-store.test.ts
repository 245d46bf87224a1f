import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeStoreContract } from '../contract/store-contract.js';
import type { DecisionEffects } from '../store.js';
import { SqliteChallengeStore } from './sqlite-challenge-store.js';
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
        response: '{}',
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
    expect((await store.getChallenge('chl_1'))?.decisionId).toBe('dec_1');
    expect((await challenges.getBinding('chl_1'))?.factorIds).toEqual(['fac_1']);
    // A decision that cannot be written (its id is taken) leaves no challenge behind.
    await expect(store.recordDecision(effects('dec_1', 'chl_2'))).rejects.toThrow();
    expect(await store.getChallenge('chl_2')).toBeUndefined();
    expect(await challenges.getBinding('chl_2')).toBeUndefined();
    await store.close();
  });
});
