import { describe, expect, it } from 'vitest';
import { providerLevel, providerMethods } from './provider-level.js';

const acrMap = { 'urn:corp:pwd': 'aal1', 'urn:corp:mfa': 'aal2', c1: 'aal2' } as const;
const amrMap = { hwk: 'aal3' } as const;

describe('providerLevel (S2: never more than the operator map says)', () => {
  it('takes the highest level the map gives the acr, the Entra acrs and the amr values', () => {
    expect(providerLevel({ acr: 'urn:corp:pwd' }, acrMap, amrMap)).toBe('aal1');
    expect(providerLevel({ acr: 'urn:corp:pwd', acrs: ['c1'] }, acrMap, amrMap)).toBe('aal2');
    expect(providerLevel({ acr: 'urn:corp:mfa', amr: ['pwd', 'hwk'] }, acrMap, amrMap)).toBe('aal3');
  });

  it('values the map does not name prove nothing, whatever they say', () => {
    expect(providerLevel({ acr: 'phrh', amr: ['mfa', 'fido'] }, acrMap, amrMap)).toBeUndefined();
    expect(providerLevel({ acr: 'toString' }, acrMap, amrMap)).toBeUndefined();
    expect(providerLevel({ acrs: 'c1' }, acrMap, amrMap)).toBeUndefined();
    // The amr map does not read acr values, nor the other way round.
    expect(providerLevel({ amr: ['urn:corp:mfa'] }, acrMap, amrMap)).toBeUndefined();
  });
});

describe('providerMethods (S2, S24: the methods an amr proves, never more than the map says)', () => {
  const map = { hwk: 'webauthn', swk: 'webauthn', otp: 'totp' } as const;
  it('maps each amr value the map names, each method once', () => {
    expect(providerMethods(['pwd', 'hwk', 'swk', 'otp'], map)).toEqual(['webauthn', 'totp']);
  });
  it('values the map does not name, and anything but a list, prove no method', () => {
    expect(providerMethods(['mfa', 'toString', 42], map)).toEqual([]);
    expect(providerMethods('hwk', map)).toEqual([]);
    expect(providerMethods(undefined, map)).toEqual([]);
  });
});
