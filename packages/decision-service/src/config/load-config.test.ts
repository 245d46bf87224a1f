import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('configuration', () => {
  it('fills defaults', () => {
    const config = loadConfig({ env: {}, cwd: '/srv' });
    expect(config).toMatchObject({
      issuer: 'urn:stepgate',
      audiences: ['default'],
      tokens: { lifetime: 300, deviceLifetime: 2_592_000, clockSkew: 30 },
      dataDir: '/srv/stepgate-data',
      keyFile: '/srv/stepgate-data/stepgate.key',
      server: { host: '127.0.0.1', port: 8787, bodyLimit: 65_536 },
    });
  });

  it('locates a wrong value at its line and column', () => {
    const text = 'issuer: https://auth.example\nserver:\n  port: 99999\n';
    const error = located(() => parseConfigText(text, 'stepgate.yaml'));
    expect(error.location).toMatchObject({ file: 'stepgate.yaml', line: 3, column: 9, path: '/server/port' });
    expect(error.message).toBe('stepgate.yaml:3:9 /server/port: must be <= 65535');
  });

  it('locates an unknown setting at its key, and a bad duration', () => {
    const unknown = located(() => parseConfigText('tokens:\n  lifetime: 5m\n  lifetme: 10\n', 'c.yaml'));
    expect(unknown.message).toBe('c.yaml:3:3 /tokens/lifetme: unknown setting');
    const duration = located(() => parseConfigText('tokens:\n  lifetime: five minutes\n', 'c.yaml'));
    expect(duration.message).toMatch(
      /^c\.yaml:2:13 \/tokens\/lifetime: must be a number of seconds or a duration/,
    );
  });

  it('locates YAML syntax errors', () => {
    const error = located(() => parseConfigText('issuer: "open\naudiences: [a\n', 'y.yaml'));
    expect(error.location.file).toBe('y.yaml');
    expect(error.location.line).toBeGreaterThanOrEqual(1);
  });

  it('applies STEPGATE_* variables over the file and names the variable in errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepgate-config-'));
    const file = join(dir, 'stepgate.yaml');
    writeFileSync(file, 'policies: [policies.yaml]\ndataDir: data\ntokens: { lifetime: 2m }\n');
    const config = loadConfig({
      file,
      env: { STEPGATE_PORT: '9000', STEPGATE_AUDIENCES: 'bank, admin', STEPGATE_TOKEN_LIFETIME: '90' },
    });
    expect(config.server.port).toBe(9000);
    expect(config.audiences).toEqual(['bank', 'admin']);
    expect(config.tokens.lifetime).toBe(90);
    expect(config.policies).toEqual([join(dir, 'policies.yaml')]);
    expect(config.dataDir).toBe(join(dir, 'data'));
    const error = located(() => loadConfig({ file, env: { STEPGATE_PORT: 'eighty' } }));
    expect(error.message).toBe('env STEPGATE_PORT /server/port: must be integer');
    const level = located(() => loadConfig({ env: { STEPGATE_LOG_LEVEL: 'loud' } }));
    expect(level.message).toMatch(/^env STEPGATE_LOG_LEVEL \/logLevel: must be one of/);
  });

  it('keeps decisions for feedback 180 days unless told, from an hour to ten years', () => {
    expect(loadConfig({ env: {} }).decisions.retention).toBe(180 * 86_400);
    const days = loadConfig({
      config: parseConfigText('decisions:\n  retention: 400d\n', 'c.yaml'),
      env: {},
    });
    expect(days.decisions.retention).toBe(400 * 86_400);
    expect(loadConfig({ config: { decisions: { retention: 7200 } }, env: {} }).decisions.retention).toBe(
      7200,
    );
    const short = located(() => parseConfigText('decisions:\n  retention: 10m\n', 'c.yaml'));
    expect(short.message).toBe('c.yaml:2:14 /decisions/retention: must be from 1h to 3650d');
    expect(() => loadConfig({ config: { decisions: { retention: 60 } }, env: {} })).toThrow(
      '/decisions/retention: must be',
    );
    // The replay inputs' retention had the same lower bound, unchecked for strings until now.
    const replay = located(() => parseConfigText('audit:\n  replay:\n    retention: 0s\n', 'c.yaml'));
    expect(replay.message).toBe('c.yaml:3:16 /audit/replay/retention: must be from 1h to 3650d');
  });

  it('validates a configuration object', () => {
    expect(() => loadConfig({ config: { server: { port: -1 } }, env: {} })).toThrow(
      '/server/port: must be >= 0',
    );
  });
});
