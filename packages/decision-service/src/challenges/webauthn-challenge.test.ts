import { describe, expect, it } from 'vitest';
import { assertionChallenge, checkClientData, newNonce } from './webauthn-challenge.js';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const digestA = Buffer.alloc(32, 1).toString('base64url');
const digestB = Buffer.alloc(32, 2).toString('base64url');

describe('WebAuthn challenge bytes and client data', () => {
  it('S11: nonces are 32 random bytes; challenge bytes are SHA-256(digest ‖ nonce)', () => {
    const nonce = newNonce();
    expect(Buffer.from(nonce, 'base64url')).toHaveLength(32);
    expect(newNonce()).not.toBe(nonce);
    const challenge = assertionChallenge(digestA, nonce);
    expect(Buffer.from(challenge, 'base64url')).toHaveLength(32);
    expect(assertionChallenge(digestA, nonce)).toBe(challenge);
    // Another transaction (digest) or another start (nonce) gives other bytes.
    expect(assertionChallenge(digestB, nonce)).not.toBe(challenge);
    expect(assertionChallenge(digestA, newNonce())).not.toBe(challenge);
  });

  it('S12: checks type, challenge, exact origin, crossOrigin and topOrigin', () => {
    const expected = { type: 'webauthn.get' as const, challenge: 'abc', origins: ['https://app.example'] };
    const ok = { type: 'webauthn.get', challenge: 'abc', origin: 'https://app.example', crossOrigin: false };
    expect(checkClientData(b64(ok), expected)).toBeUndefined();
    expect(checkClientData(b64({ ...ok, type: 'webauthn.create' }), expected)).toBe('type');
    expect(checkClientData(b64({ ...ok, challenge: 'abd' }), expected)).toBe('challenge');
    expect(checkClientData(b64({ ...ok, origin: 'https://app.example.evil' }), expected)).toBe('origin');
    expect(checkClientData(b64({ ...ok, origin: 'https://APP.example' }), expected)).toBe('origin');
    expect(checkClientData(b64({ ...ok, crossOrigin: true }), expected)).toBe('cross_origin');
    expect(checkClientData(b64({ ...ok, topOrigin: 'https://app.example' }), expected)).toBe('top_origin');
    expect(checkClientData('not json', expected)).toBe('malformed');
    expect(checkClientData(42, expected)).toBe('malformed');
  });

  it('S12: accepts an explicit Android apk-key-hash origin only when listed', () => {
    const android = 'android:apk-key-hash:NLyKIc2o7n6mwBb_z-IuJc6l9ZnvmHqbKRTLlzXeU0g';
    const cd = b64({ type: 'webauthn.get', challenge: 'abc', origin: android });
    expect(
      checkClientData(cd, { type: 'webauthn.get', challenge: 'abc', origins: [android] }),
    ).toBeUndefined();
    expect(
      checkClientData(cd, { type: 'webauthn.get', challenge: 'abc', origins: ['https://a.example'] }),
    ).toBe('origin');
  });
});
