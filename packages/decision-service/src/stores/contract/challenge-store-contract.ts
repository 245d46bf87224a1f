/**
 * The contract suite of {@link ChallengeStore}: every implementation (SQLite now; Redis later)
 * runs it. The factory gives a fresh store plus a way to create a pending challenge row.
 *
 * @example
 * describeChallengeStoreContract('redis', async () => ({ store, addChallenge }));
 */
import { describe, expect, it } from 'vitest';
import type { ChallengeStore } from '../challenge-store.js';

/** A fresh store, and a helper that inserts a pending challenge expiring at `expiresAt`. */
export type ChallengeStoreFactory = () => Promise<{
  store: ChallengeStore;
  addChallenge(id: string, expiresAt: number): Promise<void>;
}>;

const T0 = 1_800_000_000_000;

export function describeChallengeStoreContract(name: string, factory: ChallengeStoreFactory): void {
  describe(`ChallengeStore contract: ${name}`, () => {
    it('keeps bindings and replaces a sent code on resend', async () => {
      const { store } = await factory();
      await store.putBinding({
        challengeId: 'c1',
        factorIds: ['f1'],
        email: 'a@x.io',
        sessionLevel: 'aal1',
        expiresAt: T0,
      });
      expect(await store.getBinding('c1')).toEqual({
        challengeId: 'c1',
        factorIds: ['f1'],
        email: 'a@x.io',
        sessionLevel: 'aal1',
        expiresAt: T0,
      });
      expect(await store.getBinding('nope')).toBeUndefined();
      await store.putSentCode({
        challengeId: 'c1',
        method: 'email_otp',
        hash: 'h1',
        sentAt: T0,
        expiresAt: T0 + 1,
      });
      await store.putSentCode({
        challengeId: 'c1',
        method: 'email_otp',
        hash: 'h2',
        sentAt: T0 + 5,
        expiresAt: T0 + 6,
      });
      expect((await store.getSentCode('c1'))?.hash).toBe('h2');
    });

    it('S7/S26: reserves attempts atomically, never past the challenge limit; counters survive a new challenge', async () => {
      const { store, addChallenge } = await factory();
      await addChallenge('c1', T0 + 60_000);
      const outcomes = await Promise.all(
        Array.from({ length: 7 }, () => store.reserveAttempt('c1', ['user:u', 'factor:f'], 5, T0)),
      );
      const counted = outcomes.filter((o) => o !== undefined);
      expect(counted).toHaveLength(5);
      expect(counted.map((o) => o.attempts).sort()).toEqual([1, 2, 3, 4, 5]);
      expect(counted.map((o) => o.counters['factor:f']?.failures).sort()).toEqual([1, 2, 3, 4, 5]);
      expect(counted.find((o) => o.attempts === 2)?.counters['user:u']?.previousFailureAt).toBe(T0);
      expect(await store.settleFailure('c1', 5)).toBe('failed');
      expect(await store.readCounters(['user:u', 'factor:f', 'other'])).toMatchObject({
        'user:u': { failures: 5, lastFailureAt: T0 },
        'factor:f': { failures: 5 },
        other: { failures: 0 },
      });
      // A new challenge does not reset the counters (S7).
      await addChallenge('c2', T0 + 60_000);
      expect((await store.reserveAttempt('c2', ['factor:f'], 5, T0 + 1))?.counters).toEqual({
        'factor:f': { failures: 6, previousFailureAt: T0 },
      });
      expect(await store.settleFailure('c2', 5)).toBe('pending');
      await store.resetCounters(['factor:f']);
      expect((await store.readCounters(['factor:f']))['factor:f']?.failures).toBe(0);
      // Nothing counts on an expired challenge.
      expect(await store.reserveAttempt('c2', ['factor:f'], 5, T0 + 60_000)).toBeUndefined();
    });

    it('S6: completes a challenge once; a TOTP step at or before the last one is a replay', async () => {
      const { store, addChallenge } = await factory();
      await addChallenge('c1', T0 + 60_000);
      await addChallenge('c2', T0 + 60_000);
      const results = await Promise.all(
        Array.from({ length: 20 }, () => store.completeChallenge('c1', T0, { factorId: 'f', step: 100 })),
      );
      expect(results.filter((r) => r === 'ok')).toHaveLength(1);
      expect(results.filter((r) => r === 'not_pending')).toHaveLength(19);
      expect(await store.completeChallenge('c2', T0, { factorId: 'f', step: 100 })).toBe('replay');
      expect(await store.completeChallenge('c2', T0, { factorId: 'f', step: 99 })).toBe('replay');
      expect(await store.completeChallenge('c2', T0, { factorId: 'f', step: 101 })).toBe('ok');
      expect(await store.advanceTotpStep('g', 5)).toBe(true);
      expect(await store.advanceTotpStep('g', 5)).toBe(false);
      await addChallenge('c3', T0 + 1000);
      expect(await store.completeChallenge('c3', T0 + 1000)).toBe('not_pending');
      expect(await store.expireChallenge('c3')).toBe(true);
      expect(await store.expireChallenge('c3')).toBe(false);
    });

    it('counts rate-limit hits per fixed window', async () => {
      const { store } = await factory();
      const hits = await Promise.all(Array.from({ length: 5 }, () => store.hitRateLimit('ip:1', 60_000, T0)));
      expect(hits.sort()).toEqual([1, 2, 3, 4, 5]);
      expect(await store.hitRateLimit('ip:2', 60_000, T0)).toBe(1);
      expect(await store.hitRateLimit('ip:1', 60_000, T0 + 60_000)).toBe(1);
    });

    it('keeps enrollment tickets: pending secret, failures, spent once', async () => {
      const { store } = await factory();
      await store.insertTicket({
        id: 't1',
        userId: 'u',
        methods: ['totp'],
        createdAt: T0,
        expiresAt: T0 + 600_000,
        attempts: 0,
      });
      await store.setPendingTotp('t1', 'sealed');
      expect(await store.recordTicketFailure('t1')).toBe(1);
      expect(await store.getTicket('t1')).toMatchObject({
        userId: 'u',
        methods: ['totp'],
        pendingTotp: 'sealed',
        attempts: 1,
      });
      const spent = await Promise.all([store.spendTicket('t1', T0), store.spendTicket('t1', T0)]);
      expect(spent.sort()).toEqual([false, true]);
      expect((await store.getTicket('t1'))?.pendingTotp).toBeUndefined();
      expect(await store.purgeExpired(T0 + 600_001)).toBeGreaterThanOrEqual(1);
      expect(await store.getTicket('t1')).toBeUndefined();
    });

    it('S33: keeps the level the step-up before a ticket proved; a first-factor ticket has none', async () => {
      const { store } = await factory();
      const ticket = { userId: 'u', methods: ['webauthn' as const], createdAt: T0, expiresAt: T0 + 600_000 };
      await store.insertTicket({ ...ticket, id: 'proven', attempts: 0, provenLevel: 'aal2' });
      await store.insertTicket({ ...ticket, id: 'first', attempts: 0 });
      expect((await store.getTicket('proven'))?.provenLevel).toBe('aal2');
      expect(await store.getTicket('first')).not.toHaveProperty('provenLevel');
    });
  });
}
