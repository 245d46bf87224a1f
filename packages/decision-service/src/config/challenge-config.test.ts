import { describe, expect, it } from 'vitest';
import { configTemplate } from '../cli/templates.js';
import { ConfigError } from './config-error.js';
import { loadConfig, parseConfigText } from './load-config.js';

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('challenges, enrollment and senders configuration', () => {
  it('fills defaults: 5 failures, 10-minute codes, 30 s resend, no sender', () => {
    const config = loadConfig({ env: {}, cwd: '/srv' });
    expect(config.challenges).toMatchObject({
      lifetime: 300,
      maxFailures: 5,
      codeLifetime: 600,
      resendAfter: 30,
      lockout: { authenticator: 20, user: 10, backoff: { after: 5, base: 30, max: 3600 } },
    });
    expect(config.enrollment).toEqual({ ticketLifetime: 600, totpIssuer: 'Stepgate' });
    expect(config.senders).toEqual({});
  });

  it('accepts what stepgate init writes, with the dev outbox only in --dev', () => {
    expect(parseConfigText(configTemplate({ dev: true }), 'stepgate.yaml').senders).toEqual({
      email: { type: 'dev' },
      sms: { type: 'dev' },
    });
    expect(parseConfigText(configTemplate({ dev: false }), 'stepgate.yaml').senders).toBeUndefined();
  });

  it('validates senders and limits with located errors', () => {
    expect(
      message(() => parseConfigText('senders:\n  sms: { type: smtp, host: h, from: a }\n', 'c.yaml')),
    ).toMatch(/^c\.yaml:2:\d+ \/senders\/sms\/type/);
    expect(
      message(() =>
        parseConfigText('senders:\n  email: { type: webhook, url: "https://a.example" }\n', 'c.yaml'),
      ),
    ).toMatch(/^c\.yaml:2:\d+ \/senders\/email/);
    expect(
      message(() => parseConfigText('challenges:\n  lockout: { authenticator: 101 }\n', 'c.yaml')),
    ).toMatch(/\/challenges\/lockout\/authenticator: must be <= 100/);
  });

  it('S35: refuses lockout settings below safe minimums, at their location', () => {
    // A lock that ends by itself is gone, whatever its value.
    expect(message(() => parseConfigText('challenges:\n  lockout: { duration: 0 }\n', 'c.yaml'))).toMatch(
      /^c\.yaml:2:\d+ \/challenges\/lockout\/duration: is no longer a setting: .*stepgate factor unlock/,
    );
    expect(message(() => parseConfigText('challenges:\n  lockout:\n    duration: 15m\n', 'c.yaml'))).toMatch(
      /^c\.yaml:3:\d+ \/challenges\/lockout\/duration: is no longer a setting/,
    );
    // NIST SP 800-63B §5.2.2: at most 100 consecutive failures.
    expect(message(() => parseConfigText('challenges:\n  lockout: { authenticator: 101 }\n', 'c.yaml'))).toBe(
      'c.yaml:2:29 /challenges/lockout/authenticator: must be <= 100',
    );
    expect(
      message(() => parseConfigText('challenges:\n  lockout: { authenticator: 0 }\n', 'c.yaml')),
    ).toMatch(/\/challenges\/lockout\/authenticator: must be >= 1/);
    // A back-off that never waits, in either spelling of a duration.
    for (const base of ['0', '0s']) {
      expect(
        message(() => parseConfigText(`challenges:\n  lockout:\n    backoff: { base: ${base} }\n`, 'c.yaml')),
      ).toMatch(/^c\.yaml:3:\d+ \/challenges\/lockout\/backoff\/base: must be from 1 s to 3600 s/);
    }
    expect(
      message(() => parseConfigText('challenges:\n  lockout:\n    backoff: { max: 30s }\n', 'c.yaml')),
    ).toMatch(/\/challenges\/lockout\/backoff\/max: must be from 60 s to 86400 s/);
    expect(
      message(() =>
        parseConfigText('challenges:\n  lockout:\n    backoff: { base: 1h, max: 10m }\n', 'c.yaml'),
      ),
    ).toMatch(
      /^c\.yaml:3:\d+ \/challenges\/lockout\/backoff\/max: the longest wait \(600 s\) is below the first \(3600 s\)/,
    );
    // The same checks for a configuration object.
    expect(() =>
      loadConfig({ config: { challenges: { lockout: { backoff: { base: 0 } } } }, env: {}, cwd: '/srv' }),
    ).toThrow(/\/challenges\/lockout\/backoff\/base: must be from 1 s/);
    expect(
      loadConfig({
        config: {
          challenges: { lockout: { authenticator: 100, backoff: { after: 3, base: '1s', max: '1m' } } },
        },
        env: {},
        cwd: '/srv',
      }).challenges.lockout,
    ).toEqual({ authenticator: 100, user: 10, backoff: { after: 3, base: 1, max: 60 } });
  });

  it('takes sender secrets from the environment', () => {
    const config = loadConfig({
      config: {
        senders: { sms: { type: 'webhook', url: 'https://app.example/hook', secret: 'x'.repeat(32) } },
      },
      env: { STEPGATE_SMS_WEBHOOK_SECRET: 's'.repeat(40) },
      cwd: '/srv',
    });
    expect(config.senders.sms).toMatchObject({ type: 'webhook', secret: 's'.repeat(40) });
  });
});
