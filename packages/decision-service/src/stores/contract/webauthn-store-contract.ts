/**
 * The contract suite of {@link WebAuthnStore}: every implementation (SQLite now; Redis or
 * PostgreSQL later) runs it. The factory gives a fresh, migrated store.
 *
 * @example
 * describeWebAuthnStoreContract('redis', async () => ({ store: new RedisWebAuthnStore(redis) }));
 */
import { describe, expect, it } from 'vitest';
import type { CredentialRow, WebAuthnChallengeRecord, WebAuthnStore } from '../webauthn-store.js';

/** A fresh, migrated store. */
export type WebAuthnStoreFactory = () => Promise<{ store: WebAuthnStore }>;

const T0 = 1_800_000_000_000;

const challenge = (over: Partial<WebAuthnChallengeRecord> = {}): WebAuthnChallengeRecord => ({
  key: 'chl_1',
  purpose: 'authenticate',
  userId: 'u1',
  method: 'webauthn',
  nonce: 'n1',
  userVerification: true,
  expiresAt: T0 + 1000,
  ...over,
});

const credential = (over: Partial<CredentialRow> = {}): CredentialRow => ({
  credentialId: 'c1',
  factorId: 'f1',
  userId: 'u1',
  counter: 0,
  backupState: false,
  ...over,
});

/**
 * Registers the suite under `WebAuthnStore contract: <name>`: one-time challenges (S11),
 * credential ownership (S13) and the counter/backup-state compare-and-set (S14, S36), each also
 * under concurrency. `factory` runs once per test and must give an empty store.
 *
 * @example
 * describeWebAuthnStoreContract('sqlite', async () => ({ store: await openSqliteWebAuthnStore() }));
 */
export function describeWebAuthnStoreContract(name: string, factory: WebAuthnStoreFactory): void {
  describe(`WebAuthnStore contract: ${name}`, () => {
    it('S11: a challenge is taken once, never after it expired, and a second start replaces it', async () => {
      const { store } = await factory();
      await store.putChallenge(challenge());
      expect(await store.takeChallenge('chl_1', T0 + 999)).toEqual(challenge());
      expect(await store.takeChallenge('chl_1', T0 + 999)).toBeUndefined();
      await store.putChallenge(challenge());
      expect(await store.takeChallenge('chl_1', T0 + 1000)).toBeUndefined();
      await store.putChallenge(
        challenge({ purpose: 'register', method: 'biometric', userVerification: false }),
      );
      await store.putChallenge(challenge({ nonce: 'n2' }));
      expect(await store.takeChallenge('chl_1', T0)).toEqual(challenge({ nonce: 'n2' }));
      await store.putChallenge(challenge({ key: 'old', expiresAt: T0 }));
      await store.putChallenge(challenge({ key: 'new', expiresAt: T0 + 10 }));
      expect(await store.purgeExpired(T0)).toBe(1);
      expect(await store.takeChallenge('new', T0)).toBeDefined();
    });

    it('S11: of 20 parallel takes of one challenge exactly one gets it', async () => {
      const { store } = await factory();
      await store.putChallenge(challenge());
      const taken = await Promise.all(Array.from({ length: 20 }, () => store.takeChallenge('chl_1', T0)));
      expect(taken.filter((t) => t !== undefined)).toHaveLength(1);
    });

    it('S13: a credential id belongs to one factor of one user; deleting the factor frees it', async () => {
      const { store } = await factory();
      expect(await store.insertCredential(credential({ backupState: true }))).toBe(true);
      expect(await store.insertCredential(credential({ factorId: 'f2', userId: 'u2' }))).toBe(false);
      expect(await store.getCredential('c1')).toEqual(credential({ backupState: true }));
      expect(await store.getCredential('nope')).toBeUndefined();
      await store.deleteByFactor('f1');
      expect(await store.getCredential('c1')).toBeUndefined();
      expect(await store.insertCredential(credential({ factorId: 'f2', userId: 'u2' }))).toBe(true);
    });

    it('S14, S36: recordAssertion sets counter and backup state together, only from the checked counter', async () => {
      const { store } = await factory();
      await store.insertCredential(credential({ counter: 5 }));
      expect(await store.recordAssertion('c1', 5, { counter: 6, backupState: true })).toBe(true);
      expect(await store.getCredential('c1')).toMatchObject({ counter: 6, backupState: true });
      // A stale compare-and-set changes neither field.
      expect(await store.recordAssertion('c1', 5, { counter: 7, backupState: false })).toBe(false);
      expect(await store.getCredential('c1')).toMatchObject({ counter: 6, backupState: true });
      expect(await store.recordAssertion('c1', 6, { counter: 7, backupState: false })).toBe(true);
      expect(await store.getCredential('c1')).toMatchObject({ counter: 7, backupState: false });
      // An authenticator without a counter stays at 0 and still records its backup state.
      await store.insertCredential(credential({ credentialId: 'c0', factorId: 'f0' }));
      expect(await store.recordAssertion('c0', 0, { counter: 0, backupState: true })).toBe(true);
      expect(await store.getCredential('c0')).toMatchObject({ counter: 0, backupState: true });
      expect(await store.recordAssertion('missing', 0, { counter: 1, backupState: false })).toBe(false);
    });

    it('S14: of 20 parallel assertions verified against one counter exactly one is recorded', async () => {
      const { store } = await factory();
      await store.insertCredential(credential({ counter: 3 }));
      const saved = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.recordAssertion('c1', 3, { counter: 4 + i, backupState: i % 2 === 0 }),
        ),
      );
      expect(saved.filter(Boolean)).toHaveLength(1);
      const winner = saved.indexOf(true);
      expect(await store.getCredential('c1')).toMatchObject({
        counter: 4 + winner,
        backupState: winner % 2 === 0,
      });
    });
  });
}
