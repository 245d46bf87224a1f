import { generateKeyPairSync, sign } from 'node:crypto';
import type { P256PublicJwk } from '@stepgate/protocol';
import { describe, expect, it } from 'vitest';
import { importDeviceKey, verifyDeviceKeySignature } from './device-key.js';

function deviceKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' }) as P256PublicJwk;
  return { privateKey, jwk: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y } as P256PublicJwk };
}

describe('native device keys (ECDSA P-256 over the challenge bytes)', () => {
  const challenge = Buffer.from('q0bXl2y5lQ1f6o1x8Xr3mF0a6t0b3lQ2pVw8zJ9kQ0Y', 'base64url');

  it('accepts a DER signature (Android, iOS) and an IEEE P1363 signature (WebCrypto)', () => {
    const { privateKey, jwk } = deviceKey();
    const der = sign('sha256', challenge, { key: privateKey, dsaEncoding: 'der' }).toString('base64url');
    const p1363 = sign('sha256', challenge, { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString(
      'base64url',
    );
    expect(verifyDeviceKeySignature(jwk, challenge, der)).toBe(true);
    expect(verifyDeviceKeySignature(jwk, challenge, p1363)).toBe(true);
  });

  it('refuses a signature over other bytes, by another key, malformed or empty', () => {
    const { privateKey, jwk } = deviceKey();
    const other = deviceKey();
    const sig = sign('sha256', challenge, privateKey).toString('base64url');
    expect(verifyDeviceKeySignature(jwk, Buffer.from('other bytes'), sig)).toBe(false);
    expect(verifyDeviceKeySignature(other.jwk, challenge, sig)).toBe(false);
    expect(verifyDeviceKeySignature(jwk, challenge, 'AAAA')).toBe(false);
    expect(verifyDeviceKeySignature(jwk, challenge, '')).toBe(false);
    expect(verifyDeviceKeySignature(jwk, challenge, 'not base64url!')).toBe(false);
  });

  it('refuses a point that is not on P-256 (invalid_request)', () => {
    const { jwk } = deviceKey();
    const bad = { ...jwk, y: jwk.x };
    expect(() => importDeviceKey(bad)).toThrowError(expect.objectContaining({ code: 'invalid_request' }));
    expect(verifyDeviceKeySignature(bad, challenge, 'AAAA')).toBe(false);
  });
});
