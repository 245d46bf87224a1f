import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type RunningService } from '../src/index.js';
import { client, freshDir, start } from './helpers.js';

/** The user-management routes, each with a body it accepts from an allowed key. */
const ROUTES: Array<[string, string, unknown]> = [
  ['PUT', '/v1/users/ann', { displayName: 'Ann' }],
  ['GET', '/v1/users/ann/factors', undefined],
  ['DELETE', '/v1/users/ann/factors/fac_nope', { subject: { id: 'ann' } }],
  ['DELETE', '/v1/users/ann', { subject: { id: 'ann' } }],
  ['POST', '/v1/enrollments', { userId: 'ann', subject: { id: 'ann' }, method: 'totp' }],
];

describe('S31: user management is scoped to admin keys and users.manageAudiences', () => {
  let svc: RunningService;
  beforeAll(async () => {
    // The startup API key belongs to "partner", which is not the default audience.
    svc = await start({ config: { audiences: ['bank', 'partner'] }, audience: 'partner' });
  });
  afterAll(() => svc?.close());

  it.each(ROUTES)(
    '%s %s: 403 forbidden for a key of another audience, nothing changes',
    async (m, path, body) => {
      const partner = client(svc);
      const res = await partner(m, path, body);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
      expect(await svc.store.getUser('ann')).toBeUndefined();
    },
  );

  it('an admin key may manage users; the partner key still asks for decisions', async () => {
    const admin = client({ url: svc.url, apiKey: svc.adminKey });
    expect((await admin('PUT', '/v1/users/ann', { displayName: 'Ann' })).status).toBe(200);
    expect((await admin('GET', '/v1/users/ann/factors')).body).toEqual({ factors: [] });
    const decision = await client(svc)('POST', '/v1/decisions', {
      subject: { id: 'ann' },
      action: { name: 'accounts.read' },
    });
    expect(decision.body.decision).toBe('allow');
  });

  it('the OpenAPI document says so', async () => {
    const doc = (await (await fetch(`${svc.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>>;
    };
    expect(doc.paths['/v1/users/{id}']!.put!.responses['403']!.description).toContain(
      'users.manageAudiences',
    );
    expect(doc.paths['/v1/enrollments']!.post!.responses['403']).toBeDefined();
    expect(doc.paths['/v1/decisions']!.post!.responses['403']).toBeUndefined();
  });
});

describe('S31: users.manageAudiences', () => {
  it('lets keys of a listed audience manage users', async () => {
    const svc = await start({
      config: { audiences: ['bank', 'partner'], users: { manageAudiences: ['partner'] } },
      audience: 'partner',
    });
    try {
      const res = await client(svc)('PUT', '/v1/users/bo', { displayName: 'Bo' });
      expect(res.status).toBe(200);
    } finally {
      await svc.close();
    }
  });

  it('defaults to the default audience, and refuses an unknown audience with a located error', () => {
    expect(loadConfig({ env: {}, config: { audiences: ['bank', 'partner'] } }).users).toEqual({
      manageAudiences: ['bank'],
    });
    const dir = freshDir();
    const file = join(dir, 'stepgate.yaml');
    writeFileSync(file, 'audiences: [bank]\nusers:\n  manageAudiences: [bank, partner]\n');
    let error: unknown;
    try {
      loadConfig({ file, env: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      `${file}:3:27 /users/manageAudiences/1: unknown audience "partner" (audiences: bank)`,
    );
    // The environment may add the audience the file names.
    expect(loadConfig({ file, env: { STEPGATE_AUDIENCES: 'bank,partner' } }).users.manageAudiences).toEqual([
      'bank',
      'partner',
    ]);
    expect(() => loadConfig({ env: {}, config: { users: { manageAudiences: ['x'] } } })).toThrow(
      '/users/manageAudiences/0: unknown audience "x" (audiences: default)',
    );
  });
});
