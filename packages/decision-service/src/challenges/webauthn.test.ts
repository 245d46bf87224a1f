import type { Requirement } from '@stepgate/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AttestationTrust } from '../attestation/attestation-trust.js';
import { normalizeWebAuthn } from '../config/webauthn-config.js';
import type { ChallengeBinding } from '../stores/challenge-store.js';
import { SqliteStore } from '../stores/sqlite/sqlite-store.js';
import { SqliteWebAuthnStore } from '../stores/sqlite/sqlite-webauthn-store.js';
import type { ChallengeRecord } from '../stores/store.js';
import { startPossession, takeAssertionChallenge, type WebAuthnContext } from './webauthn.js';
import { assertionChallenge } from './webauthn-challenge.js';

const NOW = Date.UTC(2030, 0, 1);
const requirement = (level: Requirement['level']): string =>
  JSON.stringify({ level, acr: level, methods: ['webauthn'], bindTransaction: true, singleUse: true });

describe('WebAuthn start (request options)', () => {
  let store: SqliteStore;
  let wa: WebAuthnContext;
  const challenge = (over: Partial<ChallengeRecord> = {}): ChallengeRecord => ({
    id: 'chl_test',
    userId: 'u1',
    action: 'payments.transfer',
    digest: Buffer.alloc(32, 9).toString('base64url'),
    requirement: requirement('aal2'),
    methods: ['webauthn', 'biometric'],
    decisionId: 'dec_1',
    audience: 'default',
    createdAt: NOW,
    expiresAt: NOW + 300_000,
    status: 'pending',
    attempts: 0,
    ...over,
  });
  const binding: ChallengeBinding = {
    challengeId: 'chl_test',
    factorIds: [],
    sessionLevel: 'aal1',
    expiresAt: NOW,
  };

  beforeEach(async () => {
    store = new SqliteStore({ file: ':memory:' });
    await store.migrate();
    const webauthn = new SqliteWebAuthnStore(store.db);
    await webauthn.migrate();
    wa = {
      settings: normalizeWebAuthn({ rpId: 'bank.example' }, ['https://bank.example']),
      store: webauthn,
      trust: new AttestationTrust(new Map()),
    };
  });
  afterEach(() => store.close());

  it('S11: the challenge bytes are SHA-256(digest ‖ nonce), stored server-side and consumed once', async () => {
    const c = challenge();
    const { publicKey } = await startPossession(store, wa, c, binding, 'webauthn', NOW);
    const taken = await takeAssertionChallenge(wa, c, 'webauthn', NOW);
    expect(taken?.challenge).toBe(publicKey.challenge);
    expect(Buffer.from(String(publicKey.challenge), 'base64url')).toHaveLength(32);
    expect(await takeAssertionChallenge(wa, c, 'webauthn', NOW)).toBeUndefined();
    // A nonce of another method, user or an expired one is never handed back.
    await startPossession(store, wa, c, binding, 'biometric', NOW);
    expect(await takeAssertionChallenge(wa, c, 'webauthn', NOW)).toBeUndefined();
    await startPossession(store, wa, c, binding, 'webauthn', NOW);
    expect(await takeAssertionChallenge(wa, c, 'webauthn', NOW + 300_000)).toBeUndefined();
    expect(assertionChallenge(c.digest, 'AAAA')).not.toBe(publicKey.challenge);
  });

  it('S12: user verification is required for biometric and for aal3, preferred otherwise', async () => {
    const aal2 = await startPossession(store, wa, challenge(), binding, 'webauthn', NOW);
    expect(aal2.publicKey.userVerification).toBe('preferred');
    const bio = await startPossession(store, wa, challenge(), binding, 'biometric', NOW);
    expect(bio.publicKey.userVerification).toBe('required');
    const aal3 = await startPossession(
      store,
      wa,
      challenge({ requirement: requirement('aal3') }),
      binding,
      'webauthn',
      NOW,
    );
    expect(aal3.publicKey.userVerification).toBe('required');
    expect(aal3.publicKey.rpId).toBe('bank.example');
  });

  it('S21: the browser is given a timeout no longer than what is left of the challenge (≤ 5 min)', async () => {
    const { publicKey } = await startPossession(
      store,
      wa,
      challenge({ expiresAt: NOW + 30_000 }),
      binding,
      'webauthn',
      NOW,
    );
    expect(publicKey.timeout).toBe(30_000);
    const long = await startPossession(
      store,
      wa,
      challenge({ expiresAt: NOW + 3_600_000 }),
      binding,
      'webauthn',
      NOW,
    );
    expect(long.publicKey.timeout).toBe(120_000);
  });

  it('answers service_unavailable when WebAuthn is not configured', async () => {
    const off = { ...wa, settings: normalizeWebAuthn({}, []) };
    await expect(startPossession(store, off, challenge(), binding, 'webauthn', NOW)).rejects.toMatchObject({
      code: 'service_unavailable',
    });
  });
});
