import { describe, expect, it } from 'vitest';
import { assertionProof } from '../challenges/webauthn.js';
import type { FactorRecord } from '../stores/store.js';
import {
  credentialData,
  describeFactor,
  type WebAuthnFactorData,
  webAuthnMaxLevel,
} from './credential-data.js';

const data = (over: Partial<WebAuthnFactorData> = {}): WebAuthnFactorData => ({
  kind: 'webauthn',
  credentialId: 'c1',
  publicKey: 'pk',
  backupEligible: false,
  userVerified: true,
  attested: false,
  aaguid: '00000000-0000-0000-0000-000000000000',
  fmt: 'none',
  ...over,
});
const factor = (d: WebAuthnFactorData): FactorRecord => ({
  id: 'fac_1',
  userId: 'u1',
  method: 'webauthn',
  maxLevel: webAuthnMaxLevel(d),
  data: JSON.stringify(d),
  createdAt: 0,
});

const flags = (userVerified: boolean) => ({ userVerified, backedUp: false });

describe('WebAuthn factor levels and amr (S3)', () => {
  it('S3: device-bound with UV reaches aal3; backup-eligible (synced passkey) or no UV stays at aal2', () => {
    expect(webAuthnMaxLevel({ backupEligible: false, userVerified: true })).toBe('aal3');
    expect(webAuthnMaxLevel({ backupEligible: true, userVerified: true })).toBe('aal2');
    expect(webAuthnMaxLevel({ backupEligible: false, userVerified: false })).toBe('aal2');
  });

  it('S12: an assertion without UV counts at aal2 even for an aal3 factor', () => {
    const d = data();
    expect(assertionProof(factor(d), d, flags(true))).toEqual({ level: 'aal3', amr: ['swk', 'user', 'mfa'] });
    expect(assertionProof(factor(d), d, flags(false))).toEqual({ level: 'aal2', amr: ['swk', 'user'] });
  });

  it('S3, S36: an assertion that says the credential is backed up never counts above aal2', () => {
    const d = data();
    expect(assertionProof(factor(d), d, { userVerified: true, backedUp: true })).toEqual({
      level: 'aal2',
      amr: ['swk', 'user', 'mfa'],
    });
  });

  it('amr says hwk only when attestation proved the model, and never fpt or face', () => {
    const d = data({ attested: true });
    expect(assertionProof(factor(d), d, flags(true)).amr).toEqual(['hwk', 'user', 'mfa']);
    for (const uv of [true, false]) {
      expect(assertionProof(factor(d), d, flags(uv)).amr).not.toContain('fpt');
      expect(assertionProof(factor(d), d, flags(uv)).amr).not.toContain('face');
    }
  });

  it('the factor view shows backupEligible and never the key', () => {
    const d = data({ backupEligible: true });
    const view = describeFactor(factor(d));
    expect(view).toMatchObject({ method: 'webauthn', maxLevel: 'aal2', backupEligible: true });
    expect(JSON.stringify(view)).not.toContain('"pk"');
    expect(credentialData({ ...factor(d), data: '{' })).toBeUndefined();
    expect(credentialData({ ...factor(d), method: 'totp' })).toBeUndefined();
  });
});
