import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadConfig, parseConfigText } from './load-config.js';

const located = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('idps configuration (issue 21, docs/deployment.md)', () => {
  it('fills the defaults and the highest level the maps give', () => {
    const config = loadConfig({
      env: {},
      config: {
        idps: [{ id: 'corp', issuer: 'https://login.example.com', clientId: 'app', acrMap: { mfa: 'aal2' } }],
      },
    });
    expect(config.idps[0]).toMatchObject({
      id: 'corp',
      name: 'corp',
      audiences: ['app'],
      subjectClaim: 'sub',
      scope: 'openid',
      jwksCooldown: 30,
      jwksMaxAge: 600,
      maxLevel: 'aal2',
      amrMap: {},
    });
  });

  it('locates a provider without a map, a bad level and an unknown setting', () => {
    const noMap = located(() =>
      parseConfigText(
        'idps:\n  - id: corp\n    issuer: https://login.example.com\n    clientId: app\n',
        'c.yaml',
      ),
    );
    expect(noMap.message).toBe(
      "c.yaml:2:5 /idps/0: needs an acrMap or an amrMap: what the provider's tokens prove",
    );
    const level = located(() =>
      parseConfigText(
        'idps:\n  - id: corp\n    issuer: https://login.example.com\n    clientId: app\n    acrMap: { mfa: aal4 }\n',
        'c.yaml',
      ),
    );
    expect(level.message).toMatch(/^c\.yaml:5:20 \/idps\/0\/acrMap\/mfa: must be one of aal1, aal2, aal3/);
    const secret = located(() =>
      parseConfigText(
        'idps:\n  - id: corp\n    issuer: https://login.example.com\n    clientId: app\n    clientSecret: s\n    acrMap: { mfa: aal2 }\n',
        'c.yaml',
      ),
    );
    expect(secret.message).toBe('c.yaml:5:5 /idps/0/clientSecret: unknown setting');
  });

  it('reads methods: the provider amr values and the Stepgate methods they count as (default none)', () => {
    const config = loadConfig({
      env: {},
      config: {
        idps: [
          {
            id: 'okta',
            issuer: 'https://login.example.com',
            clientId: 'app',
            acrMap: { phrh: 'aal3' },
            methods: { hwk: 'webauthn', swk: 'webauthn', otp: 'totp', sms: 'sms_otp', fpt: 'biometric' },
          },
          { id: 'corp', issuer: 'https://corp.example.com', clientId: 'app', acrMap: { mfa: 'aal2' } },
        ],
      },
    });
    expect(config.idps[0]?.methods).toEqual({
      hwk: 'webauthn',
      swk: 'webauthn',
      otp: 'totp',
      sms: 'sms_otp',
      fpt: 'biometric',
    });
    expect(config.idps[1]?.methods).toEqual({});
  });

  it('locates a methods value that is not a Stepgate method', () => {
    const error = located(() =>
      parseConfigText(
        'idps:\n  - id: okta\n    issuer: https://login.example.com\n    clientId: app\n    acrMap: { phrh: aal3 }\n    methods: { hwk: webauthn, otp: otp }\n',
        'c.yaml',
      ),
    );
    expect(error.message).toBe(
      'c.yaml:6:36 /idps/0/methods/otp: must be one of email_otp, sms_otp, totp, webauthn, biometric',
    );
  });

  it('refuses an http issuer off loopback and a duplicate id, at their lines', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'stepgate-idps-'));
    const file = join(dir, 'stepgate.yaml');
    writeFileSync(
      file,
      'idps:\n  - id: corp\n    issuer: http://login.example.com\n    clientId: app\n    acrMap: { mfa: aal2 }\n',
    );
    expect(located(() => loadConfig({ file, env: {} })).message).toBe(
      `${file}:3:13 /idps/0/issuer: must be an https URL without query or fragment (http only on a loopback host)`,
    );
    writeFileSync(
      file,
      'idps:\n  - { id: corp, issuer: "https://a.example", clientId: app, acrMap: { mfa: aal2 } }\n  - { id: corp, issuer: "https://b.example", clientId: app, acrMap: { mfa: aal2 } }\n',
    );
    expect(located(() => loadConfig({ file, env: {} })).message).toMatch(
      /:3:\d+ \/idps\/1\/id: duplicate id "corp"/,
    );
    // http on loopback is accepted (tests, local development).
    const ok = loadConfig({
      env: {},
      config: {
        idps: [{ id: 'dev', issuer: 'http://127.0.0.1:4000', clientId: 'app', amrMap: { mfa: 'aal2' } }],
      },
    });
    expect(ok.idps[0]?.maxLevel).toBe('aal2');
  });
});
