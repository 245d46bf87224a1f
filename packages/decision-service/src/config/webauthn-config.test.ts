import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';
import { normalizeWebAuthn } from './webauthn-config.js';

describe('webauthn config', () => {
  it('defaults: rpId from the first http(s) origin, origins from the app origins, no attestation', () => {
    expect(normalizeWebAuthn({}, ['https://bank.example:8443'])).toEqual({
      rpId: 'bank.example',
      rpName: 'Stepgate',
      origins: ['https://bank.example:8443'],
      requireAttestation: false,
      allowedAuthenticators: [],
      timeout: 120,
    });
    expect(normalizeWebAuthn({}, []).rpId).toBeUndefined();
    expect(
      normalizeWebAuthn({ timeout: '10m', allowedAuthenticators: ['ABCDEF01-0000-0000-0000-000000000000'] }),
    ).toMatchObject({ timeout: 300, allowedAuthenticators: ['abcdef01-0000-0000-0000-000000000000'] });
  });

  it('S12: the schema takes exact origins and Android apk-key-hash origins only', () => {
    const android = 'android:apk-key-hash:NLyKIc2o7n6mwBb_z-IuJc6l9ZnvmHqbKRTLlzXeU0g';
    const config = loadConfig({
      config: { webauthn: { rpId: 'bank.example', origins: ['https://bank.example', android] } },
    });
    expect(config.webauthn.origins).toEqual(['https://bank.example', android]);
    for (const origin of ['https://bank.example/path', '*.bank.example', 'android:apk-key-hash:']) {
      expect(() => loadConfig({ config: { webauthn: { origins: [origin] } } }), origin).toThrowError(
        /webauthn\/origins/,
      );
    }
    expect(() => loadConfig({ config: { webauthn: { allowedAuthenticators: ['yubikey'] } } })).toThrowError(
      /allowedAuthenticators/,
    );
  });

  it('reads STEPGATE_WEBAUTHN_RP_ID and STEPGATE_WEBAUTHN_ORIGINS', () => {
    const config = loadConfig({
      env: {
        STEPGATE_WEBAUTHN_RP_ID: 'bank.example',
        STEPGATE_WEBAUTHN_ORIGINS: 'https://bank.example,https://m.bank.example',
      },
    });
    expect(config.webauthn).toMatchObject({
      rpId: 'bank.example',
      origins: ['https://bank.example', 'https://m.bank.example'],
    });
  });
});
