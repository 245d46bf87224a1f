/**
 * The store contract suite: every `Store` implementation runs it (SQLite now; a PostgreSQL +
 * Redis store later). It uses vitest's globals-free API so it can be imported from any test file.
 *
 * @example
 * // stores/postgres/postgres-store.test.ts
 * describeStoreContract('postgres', async () => new PostgresStore(...));
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newDecisionId } from '../../ids.js';
import type { DecisionEffects, Store } from '../store.js';

/** Creates a fresh, empty, migrated-or-not store for one test. */
export type StoreFactory = () => Promise<Store>;

const T0 = 1_800_000_000_000;

function effects(
  userId: string,
  action: string,
  at: number,
  extra: Partial<DecisionEffects> = {},
): DecisionEffects {
  return {
    decision: {
      id: `dec_${userId}_${at}_${action}`,
      at,
      userId,
      action,
      decision: 'allow',
      apiKeyId: 'key1',
      policyVersion: 'v1',
    },
    userId,
    action,
    at,
    ...extra,
  };
}

/** Registers the contract tests for one store implementation. */
export function describeStoreContract(name: string, factory: StoreFactory): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory();
      await store.migrate();
      await store.migrate(); // idempotent
    });
    afterEach(async () => {
      await store.close();
    });

    it('answers ping', async () => {
      expect(await store.ping()).toBe(true);
    });

    it('stores API keys by hash and revokes them', async () => {
      await store.insertApiKey({ id: 'k1', hash: 'h1', audience: 'app', admin: false, createdAt: T0 });
      expect(await store.findApiKeyByHash('h1')).toEqual({
        id: 'k1',
        hash: 'h1',
        audience: 'app',
        admin: false,
        createdAt: T0,
      });
      expect(await store.findApiKeyByHash('nope')).toBeUndefined();
      expect(await store.revokeApiKey('k1', T0 + 1)).toBe(true);
      expect((await store.findApiKeyByHash('h1'))?.revokedAt).toBe(T0 + 1);
      expect(await store.revokeApiKey('k1', T0 + 2)).toBe(false);
      await store.insertApiKey({
        id: 'k0',
        hash: 'h0',
        audience: 'app',
        admin: true,
        label: 'ops',
        createdAt: T0 - 1,
      });
      expect(await store.listApiKeys()).toEqual([
        { id: 'k0', hash: 'h0', audience: 'app', admin: true, label: 'ops', createdAt: T0 - 1 },
        { id: 'k1', hash: 'h1', audience: 'app', admin: false, createdAt: T0, revokedAt: T0 + 1 },
      ]);
    });

    it('lists signing keys newest first per use and retires the older ones', async () => {
      const key = (kid: string, createdAt: number, use: 'step_up' | 'device' = 'step_up') => ({
        kid,
        use,
        alg: 'ES256' as const,
        publicJwk: '{}',
        privateSealed: 'v1.x',
        createdAt,
      });
      await store.insertSigningKey(key('a', T0));
      await store.insertSigningKey(key('b', T0 + 10));
      await store.insertSigningKey(key('d', T0 + 20, 'device'));
      await store.retireSigningKeys('step_up', 'b', T0 + 10);
      const keys = await store.listSigningKeys('step_up');
      expect(keys.map((k) => [k.kid, k.retiredAt])).toEqual([
        ['b', undefined],
        ['a', T0 + 10],
      ]);
      expect((await store.listSigningKeys('device')).map((k) => k.kid)).toEqual(['d']);
    });

    it('upserts users and keeps factors per user', async () => {
      await store.upsertUser({ id: 'u1', email: 'a@example.com', updatedAt: T0 });
      await store.upsertUser({ id: 'u1', phone: '+33600000000', displayName: 'Ann', updatedAt: T0 + 1 });
      expect(await store.getUser('u1')).toEqual({
        id: 'u1',
        phone: '+33600000000',
        displayName: 'Ann',
        updatedAt: T0 + 1,
      });
      await store.insertFactor({ id: 'f1', userId: 'u1', method: 'totp', maxLevel: 'aal2', createdAt: T0 });
      await store.insertFactor({
        id: 'f2',
        userId: 'u2',
        method: 'webauthn',
        maxLevel: 'aal3',
        createdAt: T0,
      });
      expect((await store.listFactors('u1')).map((f) => f.id)).toEqual(['f1']);
      expect(await store.deleteFactor('u2', 'f1')).toBe(false);
      expect(await store.deleteFactor('u1', 'f1')).toBe(true);
      expect(await store.listFactors('u1')).toEqual([]);
    });

    it('records when a factor was last used: only the user’s own factor, never backwards', async () => {
      await store.insertFactor({ id: 'f1', userId: 'u1', method: 'totp', maxLevel: 'aal2', createdAt: T0 });
      await store.insertFactor({
        id: 'f2',
        userId: 'u1',
        method: 'webauthn',
        maxLevel: 'aal3',
        createdAt: T0,
      });
      expect(await store.touchFactor('u2', 'f1', T0 + 5)).toBe(false);
      expect(await store.touchFactor('u1', 'nope', T0 + 5)).toBe(false);
      expect(await store.touchFactor('u1', 'f1', T0 + 5)).toBe(true);
      // An earlier verification that finishes late does not move it back.
      expect(await store.touchFactor('u1', 'f1', T0 + 3)).toBe(true);
      const lastUsed = async () => (await store.listFactors('u1')).map((f) => [f.id, f.lastUsedAt]);
      expect(await lastUsed()).toEqual([
        ['f1', T0 + 5],
        ['f2', undefined],
      ]);
      expect(await store.touchFactor('u1', 'f1', T0 + 9)).toBe(true);
      expect(await lastUsed()).toEqual([
        ['f1', T0 + 9],
        ['f2', undefined],
      ]);
    });

    it('builds user state from recorded decisions, within the sliding window', async () => {
      const empty = await store.loadUserState({
        userId: 'u1',
        deviceId: 'd1',
        fingerprintHash: 'fp',
        windowStart: T0,
      });
      expect(empty).toMatchObject({
        deviceKnown: false,
        fingerprintSeen: false,
        accountsOnDevice: 1,
        recentFailures: 0,
      });
      expect(empty.lastSeen).toBeUndefined();
      await store.recordDecision(
        effects('u1', 'a.b', T0 - 10_000, { deviceId: 'd1', fingerprintHash: 'fp' }),
      );
      await store.recordDecision(
        effects('u1', 'a.b', T0 + 1000, { ip: '192.0.2.1', geo: { country: 'FR', lat: 48.8, lon: 2.3 } }),
      );
      await store.recordDecision(effects('u1', 'c.d', T0 + 2000));
      await store.recordDecision(effects('u2', 'a.b', T0 + 3000, { deviceId: 'd1' }));
      await store.recordFailure('u1', T0 + 500);
      await store.recordFailure('u1', T0 - 500);
      const state = await store.loadUserState({
        userId: 'u1',
        deviceId: 'd1',
        fingerprintHash: 'fp',
        windowStart: T0,
      });
      expect(state.actionCounts).toEqual({ 'a.b': 1, 'c.d': 1 });
      expect(state.recentFailures).toBe(1);
      expect(state.deviceKnown).toBe(true);
      expect(state.fingerprintSeen).toBe(true);
      expect(state.accountsOnDevice).toBe(2);
      expect(state.lastSeen).toEqual({ at: T0 + 2000 });
      const other = await store.loadUserState({
        userId: 'u1',
        deviceId: 'd9',
        fingerprintHash: 'other',
        windowStart: T0,
      });
      expect(other).toMatchObject({ deviceKnown: false, fingerprintSeen: false, accountsOnDevice: 1 });
      expect((await store.getDecision(`dec_u1_${T0 + 2000}_c.d`))?.action).toBe('c.d');
    });

    it('moves the last location only on an allowed decision', async () => {
      const paris = { country: 'FR', lat: 48.85, lon: 2.35 };
      const tokyo = { country: 'JP', lat: 35.68, lon: 139.69 };
      await store.recordDecision(effects('u1', 'a.b', T0, { ip: '192.0.2.1', geo: paris }));
      for (const [decision, at] of [
        ['step_up', T0 + 1000],
        ['deny', T0 + 2000],
      ] as const) {
        const refused = effects('u1', 'a.b', at, { ip: '203.0.113.9', geo: tokyo });
        refused.decision.decision = decision;
        await store.recordDecision(refused);
      }
      const state = await store.loadUserState({ userId: 'u1', windowStart: 0 });
      expect(state.lastSeen).toEqual({ at: T0, ip: '192.0.2.1', geo: paris });
      // Refused decisions still count as activity.
      expect(state.actionCounts).toEqual({ 'a.b': 3 });
    });

    it('does not need to rewrite a known device or fingerprint', async () => {
      await store.recordDecision(effects('u1', 'a.b', T0, { deviceId: 'd1', fingerprintHash: 'fp' }));
      await store.recordDecision(
        effects('u1', 'a.c', T0 + 1, {
          deviceId: 'd1',
          fingerprintHash: 'fp',
          deviceKnown: true,
          fingerprintSeen: true,
        }),
      );
      const state = await store.loadUserState({
        userId: 'u1',
        deviceId: 'd1',
        fingerprintHash: 'fp',
        windowStart: 0,
      });
      expect(state).toMatchObject({
        deviceKnown: true,
        fingerprintSeen: true,
        actionCounts: { 'a.b': 1, 'a.c': 1 },
      });
    });

    it('keeps feedback on a decision', async () => {
      await store.recordDecision(effects('u1', 'a.b', T0));
      expect(await store.setFeedback(`dec_u1_${T0}_a.b`, 'fraud', 'chargeback', T0 + 1)).toBe(true);
      expect(await store.setFeedback('dec_missing', 'legit', undefined, T0 + 1)).toBe(false);
    });

    it('S17: consumes a jti exactly once, also under concurrency', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, () => store.consumeJti('j1', T0 + 60_000, T0)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.consumeJti('j1', T0 + 60_000, T0 + 1000)).toBe(false);
      expect(await store.consumeJti('j2', T0 + 60_000, T0)).toBe(true);
    });

    it('claims, completes and releases idempotency keys per scope', async () => {
      expect(await store.claimIdempotency('k1', 'idem', 'h', T0, T0 + 1000)).toEqual({ state: 'claimed' });
      expect(await store.claimIdempotency('k1', 'idem', 'h', T0, T0 + 1000)).toEqual({
        state: 'pending',
        requestHash: 'h',
      });
      expect(await store.claimIdempotency('k2', 'idem', 'x', T0, T0 + 1000)).toEqual({ state: 'claimed' });
      await store.completeIdempotency('k1', 'idem', 200, '{"ok":true}');
      expect(await store.claimIdempotency('k1', 'idem', 'h2', T0, T0 + 1000)).toEqual({
        state: 'done',
        requestHash: 'h',
        status: 200,
        response: '{"ok":true}',
      });
      await store.releaseIdempotency('k2', 'idem');
      expect(await store.claimIdempotency('k2', 'idem', 'y', T0, T0 + 1000)).toEqual({ state: 'claimed' });
      expect(await store.claimIdempotency('k1', 'idem', 'z', T0 + 2000, T0 + 3000)).toEqual({
        state: 'claimed',
      });
      // A claim whose process died mid-request is taken over after 60 s, not stuck until expiry.
      const day = 86_400_000;
      expect(await store.claimIdempotency('k3', 'idem', 'a', T0, T0 + day)).toEqual({ state: 'claimed' });
      expect((await store.claimIdempotency('k3', 'idem', 'a', T0 + 59_000, T0 + day)).state).toBe('pending');
      expect(await store.claimIdempotency('k3', 'idem', 'a', T0 + 61_000, T0 + day)).toEqual({
        state: 'claimed',
      });
    });

    it('keeps console sessions until they expire or are deleted; purges expired ones', async () => {
      const session = { idHash: 'h1', keySealed: 'v1.sealed', createdAt: T0, expiresAt: T0 + 1000 };
      await store.insertConsoleSession(session);
      await store.insertConsoleSession({ ...session, idHash: 'h2', expiresAt: T0 + 5000 });
      expect(await store.getConsoleSession('h1', T0 + 999)).toEqual(session);
      expect(await store.getConsoleSession('h1', T0 + 1000)).toBeUndefined();
      expect(await store.getConsoleSession('unknown', T0)).toBeUndefined();
      await store.deleteConsoleSession('h2');
      await store.deleteConsoleSession('h2');
      expect(await store.getConsoleSession('h2', T0)).toBeUndefined();
      expect(await store.purgeExpired(T0 + 1000)).toBe(1);
      expect(await store.purgeExpired(T0 + 1000)).toBe(0);
    });

    it('purges decisions made before the feedback window, and nothing newer', async () => {
      const decision = (id: string, at: number) => {
        const e = effects('u1', 'a.b', at);
        return { ...e, decision: { ...e.decision, id } };
      };
      const ids = {
        old: newDecisionId(T0 - 86_400_000),
        edge: newDecisionId(T0),
        recent: newDecisionId(T0 + 1),
        // Ids not made by newDecisionId go by their time only: kept while they are recent.
        lowButRecent: 'dec_000000000000recent',
      };
      await store.recordDecision(decision(ids.old, T0 - 86_400_000));
      await store.recordDecision(decision(ids.edge, T0));
      await store.recordDecision(decision(ids.recent, T0 + 1));
      await store.recordDecision(decision(ids.lowButRecent, T0 + 1));
      // Without a decisions time, no decision goes.
      await store.purgeExpired(T0 + 1, { history: T0 });
      expect(await store.getDecision(ids.old)).toBeDefined();
      expect(await store.purgeExpired(T0 + 1, { decisions: T0 })).toBe(1);
      expect(await store.getDecision(ids.old)).toBeUndefined();
      expect(await store.setFeedback(ids.old, 'fraud', undefined, T0 + 2)).toBe(false);
      for (const id of [ids.edge, ids.recent, ids.lowButRecent]) {
        expect((await store.getDecision(id))?.id).toBe(id);
      }
      expect(await store.purgeExpired(T0 + 1, { decisions: T0 + 1 })).toBe(1);
      expect(await store.getDecision(ids.edge)).toBeUndefined();
      expect(await store.getDecision(ids.recent)).toBeDefined();
    });

    it('purges expired state', async () => {
      await store.consumeJti('old', T0 + 10, T0);
      expect(await store.purgeExpired(T0 + 400_000)).toBe(1);
      // History outside every window goes too; what is inside stays.
      await store.recordDecision(effects('u1', 'a.b', T0 - 7_200_000));
      await store.recordDecision(effects('u1', 'a.b', T0));
      await store.recordFailure('u1', T0 - 7_200_000);
      expect(await store.purgeExpired(T0, { history: T0 - 3_600_000 })).toBe(2);
      expect((await store.loadUserState({ userId: 'u1', windowStart: 0 })).actionCounts).toEqual({
        'a.b': 1,
      });
    });

    it('erases a user: contact points, factors, devices, last place, history and device tokens; no one else', async () => {
      for (const id of ['u1', 'u2']) {
        await store.upsertUser({ id, email: `${id}@example.com`, updatedAt: T0 });
        await store.insertFactor({
          id: `f-${id}`,
          userId: id,
          method: 'totp',
          maxLevel: 'aal2',
          createdAt: T0,
        });
        await store.recordDecision(
          effects(id, 'a.b', T0, { deviceId: 'd1', fingerprintHash: 'fp', ip: '192.0.2.1' }),
        );
        await store.recordFailure(id, T0);
        await store.insertDeviceToken({
          jti: `dt-${id}`,
          userId: id,
          deviceId: 'd1',
          issuedAt: T0,
          expiresAt: T0 + 1e9,
        });
      }
      const query = (userId: string) => ({
        userId,
        deviceId: 'd1',
        fingerprintHash: 'fp',
        windowStart: T0 - 1,
      });
      expect(await store.deleteUser('u1')).toBe(true);
      expect(await store.getUser('u1')).toBeUndefined();
      expect(await store.listFactors('u1')).toEqual([]);
      expect(await store.getDeviceToken('dt-u1')).toBeUndefined();
      const gone = await store.loadUserState(query('u1'));
      expect(gone).toMatchObject({
        factors: [],
        deviceKnown: false,
        fingerprintSeen: false,
        accountsOnDevice: 2, // the one asking, and u2, who still uses d1
        recentFailures: 0,
        actionCounts: {},
      });
      expect(gone.user).toBeUndefined();
      expect(gone.lastSeen).toBeUndefined();
      // u2 keeps everything.
      expect((await store.getUser('u2'))?.email).toBe('u2@example.com');
      expect(await store.getDeviceToken('dt-u2')).toBeDefined();
      expect(await store.loadUserState(query('u2'))).toMatchObject({
        deviceKnown: true,
        fingerprintSeen: true,
        recentFailures: 1,
        actionCounts: { 'a.b': 1 },
        lastSeen: { at: T0, ip: '192.0.2.1' },
      });
      // Nothing left to erase.
      expect(await store.deleteUser('u1')).toBe(false);
      expect(await store.deleteUser('nobody')).toBe(false);
    });

    it('records and revokes remembered-device tokens', async () => {
      await store.insertDeviceToken({
        jti: 'dt1',
        userId: 'u1',
        deviceId: 'd1',
        issuedAt: T0,
        expiresAt: T0 + 1e9,
      });
      await store.insertDeviceToken({
        jti: 'dt2',
        userId: 'u1',
        deviceId: 'd2',
        issuedAt: T0,
        expiresAt: T0 + 1e9,
      });
      expect(await store.revokeDeviceTokens('u1', 'd1', T0 + 1)).toBe(1);
      expect((await store.getDeviceToken('dt1'))?.revokedAt).toBe(T0 + 1);
      expect((await store.getDeviceToken('dt2'))?.revokedAt).toBeUndefined();
      expect(await store.revokeDeviceTokens('u1', undefined, T0 + 2)).toBe(1);
    });

    it('purges remembered-device tokens that expired before the given time, revoked or not', async () => {
      const token = (jti: string, expiresAt: number) => ({
        jti,
        userId: 'u1',
        deviceId: 'd1',
        issuedAt: T0 - 1e9,
        expiresAt,
      });
      await store.insertDeviceToken(token('old', T0 - 1));
      await store.insertDeviceToken(token('oldRevoked', T0 - 2));
      await store.insertDeviceToken(token('edge', T0));
      await store.insertDeviceToken(token('live', T0 + 1e9));
      await store.revokeDeviceTokens('u1', undefined, T0 - 10);
      expect(await store.purgeExpired(T0, { history: T0 })).toBe(0);
      expect(await store.purgeExpired(T0, { deviceTokens: T0 })).toBe(2);
      expect(await store.getDeviceToken('old')).toBeUndefined();
      expect(await store.getDeviceToken('oldRevoked')).toBeUndefined();
      expect((await store.getDeviceToken('edge'))?.jti).toBe('edge');
      expect((await store.getDeviceToken('live'))?.revokedAt).toBe(T0 - 10);
    });
  });
}
