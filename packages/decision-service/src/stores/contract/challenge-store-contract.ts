/**
 * The contract suite of {@link ChallengeStore}: every implementation (SQLite now; Redis later)
 * runs it. The factory gives a fresh store plus a way to create a pending challenge row.
 *
 * @example
 * describeChallengeStoreContract('redis', async () => ({ store, addChallenge }));
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type AttemptRequest, backoffWait, type ChallengeStore } from '../challenge-store.js';
import type { ChallengeRecord } from '../store.js';

/**
 * A fresh store; optionally a helper that creates a pending challenge expiring at `expiresAt`
 * (by default `store.insertChallenge`) and a `close` run after each test.
 */
export type ChallengeStoreFactory = () => Promise<{
  store: ChallengeStore;
  addChallenge?(id: string, expiresAt: number): Promise<void>;
  close?(): Promise<void>;
}>;

/** A pending challenge row for the contract suites. */
export const pendingChallenge = (id: string, expiresAt: number): ChallengeRecord => ({
  id,
  userId: 'u',
  action: 'a',
  digest: 'd',
  requirement: '{}',
  methods: ['totp'],
  decisionId: 'dec',
  audience: 'default',
  createdAt: 0,
  expiresAt,
  status: 'pending',
  attempts: 0,
});

const T0 = 1_800_000_000_000;

/** An attempt on challenge `id` for user `u` against `keys`; by default no back-off nor lock in the way. */
function request(
  id: string,
  keys: string[],
  now: number,
  o: {
    free?: number;
    userFree?: number;
    lockAt?: number;
    maxFailures?: number;
    backoff?: { baseMs: number; maxMs: number };
  } = {},
): AttemptRequest {
  return {
    challengeId: id,
    maxFailures: o.maxFailures ?? 5,
    user: { key: 'user:u', freeFailures: o.userFree ?? 100 },
    authenticators: keys.map((key) => ({ key, freeFailures: o.free ?? 100, lockAt: o.lockAt ?? 100 })),
    backoff: o.backoff ?? { baseMs: 30_000, maxMs: 3_600_000 },
    now,
  };
}

export function describeChallengeStoreContract(name: string, makeStore: ChallengeStoreFactory): void {
  describe(`ChallengeStore contract: ${name}`, () => {
    const opened: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const close of opened.splice(0)) await close();
    });
    const factory = async () => {
      const made = await makeStore();
      if (made.close) opened.push(made.close);
      const { store } = made;
      const addChallenge =
        made.addChallenge ??
        ((id: string, expiresAt: number) => store.insertChallenge(pendingChallenge(id, expiresAt)));
      return { store, addChallenge };
    };

    it('owns the challenge lifecycle: creates, reads and purges challenges', async () => {
      const { store } = await factory();
      await store.insertChallenge({
        ...pendingChallenge('chl_1', T0 + 300_000),
        sessionId: 's1',
        transaction: '{"amount":1}',
      });
      expect(await store.getChallenge('chl_1')).toEqual({
        ...pendingChallenge('chl_1', T0 + 300_000),
        sessionId: 's1',
        transaction: '{"amount":1}',
      });
      expect(await store.getChallenge('nope')).toBeUndefined();
      await store.purgeExpired(T0 + 400_000);
      expect(await store.getChallenge('chl_1')).toBeUndefined();
    });

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
        Array.from({ length: 7 }, () => store.reserveAttempt(request('c1', ['factor:f'], T0))),
      );
      const counted = outcomes.filter((o) => o !== undefined);
      expect(counted).toHaveLength(5);
      expect(counted.every((o) => o.admitted)).toBe(true);
      expect(counted.map((o) => o.attempts).sort()).toEqual([1, 2, 3, 4, 5]);
      expect(counted.map((o) => o.failures['factor:f']).sort()).toEqual([1, 2, 3, 4, 5]);
      expect(counted.map((o) => o.failures['user:u']).sort()).toEqual([1, 2, 3, 4, 5]);
      expect(counted.every((o) => o.counted.join() === 'factor:f')).toBe(true);
      expect(await store.settleFailure('c1', 5)).toBe('failed');
      expect(await store.readCounters(['user:u', 'factor:f', 'other'])).toEqual({
        'user:u': { failures: 5, lastFailureAt: T0 },
        'factor:f': { failures: 5, lastFailureAt: T0 },
        other: { failures: 0 },
      });
      // A new challenge does not reset the counters (S7).
      await addChallenge('c2', T0 + 60_000);
      expect((await store.reserveAttempt(request('c2', ['factor:f'], T0 + 1)))?.failures).toEqual({
        'user:u': 6,
        'factor:f': 6,
      });
      expect(await store.settleFailure('c2', 5)).toBe('pending');
      // A reset answers what it removed.
      expect(await store.resetCounters(['factor:f', 'never'])).toEqual({
        'factor:f': { failures: 6, lastFailureAt: T0 + 1 },
      });
      expect((await store.readCounters(['factor:f']))['factor:f']?.failures).toBe(0);
      // Nothing counts on an expired challenge.
      expect(await store.reserveAttempt(request('c2', ['factor:f'], T0 + 60_000))).toBeUndefined();
    });

    it('S35: free failures, then waits that double up to the longest; a lock until a reset; a refusal counts on the challenge only', async () => {
      const { store, addChallenge } = await factory();
      await addChallenge('c', T0 + 86_400_000);
      const rules = { free: 2, lockAt: 5, maxFailures: 100, backoff: { baseMs: 1000, maxMs: 3000 } };
      const at = (t: number, keys = ['factor:f']) => store.reserveAttempt(request('c', keys, T0 + t, rules));
      expect(await at(0)).toMatchObject({ attempts: 1, admitted: true, failures: { 'factor:f': 1 } });
      expect(await at(0)).toMatchObject({ attempts: 2, admitted: true, failures: { 'factor:f': 2 } });
      // The 2nd failure starts the back-off: 1 s.
      expect(await at(999)).toEqual({
        attempts: 3,
        admitted: false,
        counted: [],
        refused: { 'factor:f': { state: 'waiting', until: T0 + 1000 } },
        failures: { 'user:u': 2, 'factor:f': 2 },
      });
      expect(await at(1000)).toMatchObject({ admitted: true, failures: { 'factor:f': 3 } });
      // 2 s after the 3rd failure…
      expect(await at(2999)).toMatchObject({
        admitted: false,
        refused: { 'factor:f': { until: T0 + 3000 } },
      });
      expect(await at(3000)).toMatchObject({ admitted: true, failures: { 'factor:f': 4 } });
      // …then at most 3 s.
      expect(await at(5999)).toMatchObject({
        admitted: false,
        refused: { 'factor:f': { until: T0 + 6000 } },
      });
      expect(await at(6000)).toMatchObject({ admitted: true, failures: { 'factor:f': 5 } });
      // The 5th failure locks, whatever the time.
      expect(await at(86_000_000)).toMatchObject({
        admitted: false,
        refused: { 'factor:f': { state: 'locked' } },
        failures: { 'factor:f': 5 },
      });
      // Another authenticator still admits; only it is counted.
      expect(await at(86_000_000, ['factor:f', 'factor:g'])).toMatchObject({
        admitted: true,
        counted: ['factor:g'],
        refused: { 'factor:f': { state: 'locked' } },
        failures: { 'factor:f': 5, 'factor:g': 1 },
      });
      // No authenticator: nothing is compared, the challenge still counts the attempt.
      expect(await at(86_000_000, [])).toMatchObject({ attempts: 11, admitted: false, counted: [] });
      await store.resetCounters(['factor:f']);
      expect(await at(86_000_001)).toMatchObject({ admitted: true, failures: { 'factor:f': 1 } });
    });

    it("S7, S35: the user's counter backs off every authenticator; parallel attempts never pass a wait or a lock", async () => {
      const { store, addChallenge } = await factory();
      await addChallenge('c', T0 + 86_400_000);
      const backoff = { baseMs: 60_000, maxMs: 60_000 };
      for (let i = 0; i < 3; i++)
        await store.reserveAttempt(request('c', [`factor:${i}`], T0, { free: 100, userFree: 3, backoff }));
      expect(
        await store.reserveAttempt(request('c', ['factor:new'], T0 + 1, { free: 100, userFree: 3, backoff })),
      ).toMatchObject({
        admitted: false,
        refused: { 'user:u': { state: 'waiting', until: T0 + 60_000 } },
        failures: { 'user:u': 3, 'factor:new': 0 },
      });
      await addChallenge('p', T0 + 86_400_000);
      const waits = await Promise.all(
        Array.from({ length: 20 }, () =>
          store.reserveAttempt(request('p', ['factor:p'], T0, { free: 3, backoff, maxFailures: 100 })),
        ),
      );
      expect(waits.filter((r) => r?.admitted)).toHaveLength(3);
      await addChallenge('q', T0 + 86_400_000);
      const locks = await Promise.all(
        Array.from({ length: 20 }, () =>
          store.reserveAttempt(
            request('q', ['factor:q'], T0, { free: 100, lockAt: 4, backoff, maxFailures: 100 }),
          ),
        ),
      );
      expect(locks.filter((r) => r?.admitted)).toHaveLength(4);
      expect((await store.readCounters(['factor:q']))['factor:q']?.failures).toBe(4);
    });

    it('S7: a free failure stamped later (another replica, a concurrent request) does not refuse an earlier-started attempt', async () => {
      const { store, addChallenge } = await factory();
      await addChallenge('c1', T0 + 60_000);
      await addChallenge('c2', T0 + 60_000);
      // The attempt that started at T0 + 500 is counted first; one that started at T0 follows.
      const later = await store.reserveAttempt(request('c1', ['k'], T0 + 500, { userFree: 10, free: 10 }));
      const earlier = await store.reserveAttempt(request('c2', ['k'], T0, { userFree: 10, free: 10 }));
      expect(later).toMatchObject({ admitted: true });
      expect(earlier).toMatchObject({ admitted: true, refused: {} });
      expect((await store.readCounters(['user:u', 'k']))['user:u']!.failures).toBe(2);
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

    it('S8, S37: claims a send slot once per cooldown, atomically; a failed delivery gives it back', async () => {
      const { store } = await factory();
      const claims = await Promise.all(
        Array.from({ length: 10 }, () => store.claimSendSlot('c1', T0, 30_000)),
      );
      expect(claims.filter((c) => c.claimed)).toHaveLength(1);
      expect(claims.filter((c) => !c.claimed)).toEqual(
        Array.from({ length: 9 }, () => ({ claimed: false, retryAfterMs: 30_000 })),
      );
      expect(await store.claimSendSlot('c1', T0 + 29_000, 30_000)).toEqual({
        claimed: false,
        retryAfterMs: 1000,
      });
      expect(await store.claimSendSlot('c2', T0, 30_000)).toEqual({ claimed: true });
      expect(await store.claimSendSlot('c1', T0 + 30_000, 30_000)).toEqual({ claimed: true });
      // Releasing an older claim leaves the newer one in force; releasing the current one frees the slot.
      await store.releaseSendSlot('c1', T0);
      expect((await store.claimSendSlot('c1', T0 + 30_001, 30_000)).claimed).toBe(false);
      await store.releaseSendSlot('c1', T0 + 30_000);
      expect(await store.claimSendSlot('c1', T0 + 30_001, 30_000)).toEqual({ claimed: true });
      expect(await store.purgeExpired(T0 + 60_002)).toBeGreaterThanOrEqual(2);
    });

    it('S35: backoffWait is free below the threshold, then doubles up to the longest wait', () => {
      const b = { baseMs: 30_000, maxMs: 3_600_000 };
      expect([0, 4, 5, 6, 7, 11, 12, 99, 10_000].map((f) => backoffWait(f, 5, b))).toEqual([
        0, 0, 30_000, 60_000, 120_000, 1_920_000, 3_600_000, 3_600_000, 3_600_000,
      ]);
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
