import { describe, expect, it } from 'vitest';
import { normalizeIdp } from '../config/idps-config.js';
import { mappedLevel } from './check-provider-token.js';

const idp = normalizeIdp(
  {
    id: 'corp',
    issuer: 'https://login.example.com',
    clientId: 'app',
    acrMap: { 'urn:corp:pwd': 'aal1', 'urn:corp:mfa': 'aal2', c1: 'aal2' },
    amrMap: { hwk: 'aal3' },
  },
  { path: '/idps/0/issuer' },
);

describe('mappedLevel (S2: never more than the operator map says)', () => {
  it('takes the highest level the map gives the acr, the Entra acrs and the amr values', () => {
    expect(mappedLevel(idp, { acr: 'urn:corp:pwd' })).toBe('aal1');
    expect(mappedLevel(idp, { acr: 'urn:corp:pwd', acrs: ['c1'] })).toBe('aal2');
    expect(mappedLevel(idp, { acr: 'urn:corp:mfa', amr: ['pwd', 'hwk'] })).toBe('aal3');
  });

  it('values the map does not name prove nothing, whatever they say', () => {
    expect(mappedLevel(idp, { acr: 'phrh', amr: ['mfa', 'fido'] })).toBeUndefined();
    expect(mappedLevel(idp, { acr: 'toString' })).toBeUndefined();
    expect(mappedLevel(idp, { acrs: 'c1' as never })).toBeUndefined();
  });
});
