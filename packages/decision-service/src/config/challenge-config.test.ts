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
      lockout: { authenticator: 10, user: 20, duration: 900 },
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
