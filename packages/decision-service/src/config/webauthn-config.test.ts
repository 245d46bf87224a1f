import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Issued, issue, rootCa } from '../../test/attestation-pki.js';
import { freshDir } from '../../test/helpers.js';
import { ConfigError } from './config-error.js';
import { loadConfig, parseConfigText } from './load-config.js';
import { normalizeWebAuthn } from './webauthn-config.js';

describe('webauthn config', () => {
  it('defaults: rpId from the first http(s) origin, origins from the app origins, no attestation', () => {
    expect(normalizeWebAuthn({}, ['https://bank.example:8443'])).toEqual({
      rpId: 'bank.example',
      rpName: 'Stepgate',
      origins: ['https://bank.example:8443'],
      requireAttestation: false,
      allowedAuthenticators: [],
      attestationRoots: [],
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

  describe('attestation trust anchors (S36)', () => {
    let root: Issued;
    let leaf: Issued;
    beforeAll(async () => {
      root = await rootCa();
      leaf = await issue(root, { subject: 'CN=leaf' });
    });
    const yaml = (certificate: string) =>
      [
        'webauthn:',
        '  rpId: bank.example',
        '  attestationRoots:',
        '    - aaguid: CB69481E-8FF7-4039-93EC-0A2729A154A8',
        '      certificates:',
        `        - ${JSON.stringify(certificate)}`,
        '',
      ].join('\n');
    const located = (text: string): string => {
      try {
        parseConfigText(text, 'c.yaml');
      } catch (error) {
        if (error instanceof ConfigError) return error.message;
      }
      throw new Error('expected a ConfigError');
    };

    it('S36: attestationRoots take PEM CA certificates per AAGUID; a bad PEM or a leaf certificate is a located error', () => {
      const config = parseConfigText(yaml(root.pem), 'c.yaml');
      expect(normalizeWebAuthn(config.webauthn).attestationRoots).toEqual([
        { aaguid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8', certificates: [root.pem] },
      ]);
      const where =
        'c.yaml:6:11 /webauthn/attestationRoots/0/certificates/0: must be a PEM X.509 CA certificate';
      expect(located(yaml('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'))).toContain(where);
      expect(located(yaml('not a certificate'))).toContain(where);
      expect(located(yaml(leaf.pem))).toContain(where);
      expect(() =>
        loadConfig({
          config: { webauthn: { attestationRoots: [{ aaguid: 'yubikey', certificates: [root.pem] }] } },
        }),
      ).toThrowError(/attestationRoots\/0\/aaguid/);
    });

    it('S36: webauthn.metadata is a path relative to the configuration file', () => {
      const dir = join(freshDir(), 'etc');
      mkdirSync(dir);
      const file = join(dir, 'stepgate.yaml');
      writeFileSync(file, 'webauthn:\n  rpId: bank.example\n  metadata: mds/blob.jwt\n');
      expect(loadConfig({ file, env: {} }).webauthn.metadata).toBe(join(dir, 'mds', 'blob.jwt'));
    });
  });
});
