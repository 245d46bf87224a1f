import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { Sealer } from '../secrets/sealer.js';
import { SqliteStore } from '../stores/sqlite/sqlite-store.js';
import { checkTimeAndAudience, parseJws } from './jwt.js';
import { KeyRing } from './key-ring.js';
import { TokenService } from './token-service.js';

const SETTINGS = { issuer: 'urn:test', stepUpLifetime: 300, deviceLifetime: 86_400, clockSkew: 30 };

async function replicas() {
  const dir = mkdtempSync(join(tmpdir(), 'stepgate-keys-'));
  const sealer = new Sealer(randomBytes(32));
  let t = Date.UTC(2030, 0, 1);
  const now = () => t;
  const make = async () => {
    const store = new SqliteStore({ file: join(dir, 'stepgate.db') });
    await store.migrate();
    const ring = new KeyRing({
      store,
      sealer,
      now,
      retentionMs: () => (300 + 30) * 1000,
      refreshCooldownMs: 10_000,
    });
    await ring.refresh();
    return { store, ring, tokens: new TokenService(ring, store, SETTINGS, now) };
  };
  const a = await make();
  const b = await make();
  return { a, b, advance: (ms: number) => (t += ms), now };
}

const params = {
  sub: 'u1',
  aud: 'app',
  acr: 'urn:stepgate:aal2',
  amr: ['otp' as const],
  authTime: 0,
  action: 'x',
  digest: 'd',
};

describe('KeyRing (S19)', () => {
  it('S19: after a rotation, old tokens still verify until they expire and the new kid is fetched once', async () => {
    const { a, b, advance } = await replicas();
    const old = a.tokens.mintStepUpToken(params).token;
    const newKid = await b.ring.rotate('step_up');
    const fresh = b.tokens.mintStepUpToken(params).token;
    expect(parseJws(fresh)?.header.kid).toBe(newKid);
    advance(11_000); // past the unknown-kid cooldown
    expect((await a.tokens.verifyStepUpToken(fresh, 'app')).ok).toBe(true);
    expect((await a.tokens.verifyStepUpToken(old, 'app')).ok).toBe(true);
    expect(a.ring.jwks().keys.map((k) => k.kid)).toContain(newKid);
    expect(a.ring.jwks().keys).toHaveLength(2);
    advance(331_000);
    expect(a.ring.jwks().keys.map((k) => k.kid)).toEqual([newKid]);
    expect((await a.tokens.verifyStepUpToken(old, 'app')).ok).toBe(false);
    await a.store.close();
    await b.store.close();
  });

  it('S19: an unknown kid re-reads the store at most once per cooldown', async () => {
    const { a, b, advance } = await replicas();
    const spy = vi.spyOn(a.store, 'listSigningKeys');
    const forged = b.tokens.mintStepUpToken(params).token.replace(/^[^.]+/, (h) => {
      const header = JSON.parse(Buffer.from(h, 'base64url').toString());
      return Buffer.from(JSON.stringify({ ...header, kid: 'nope' })).toString('base64url');
    });
    await a.tokens.verifyStepUpToken(forged, 'app');
    expect(spy).not.toHaveBeenCalled(); // the load at start is within the cooldown
    advance(11_000);
    for (let i = 0; i < 5; i++) expect((await a.tokens.verifyStepUpToken(forged, 'app')).ok).toBe(false);
    // One refresh reads both key uses once.
    expect(spy.mock.calls.map((c) => c[0])).toEqual(['step_up', 'device']);
    await a.store.close();
    await b.store.close();
  });

  it('never publishes the device key, and device tokens are bound to sub and device (S25)', async () => {
    const { a, b } = await replicas();
    const { token } = await a.tokens.mintDeviceToken({ sub: 'u1', deviceId: 'd1' });
    const deviceKid = parseJws(token)?.header.kid;
    expect(a.ring.jwks().keys.map((k) => k.kid)).not.toContain(deviceKid);
    expect((await a.tokens.verifyDeviceToken(token, 'u1', 'd1')).ok).toBe(true);
    expect(await a.tokens.verifyDeviceToken(token, 'u2', 'd1')).toEqual({
      ok: false,
      failure: 'wrong_subject',
    });
    expect(await a.tokens.verifyDeviceToken(token, 'u1', 'd2')).toEqual({
      ok: false,
      failure: 'wrong_subject',
    });
    await a.store.revokeDeviceTokens('u1', 'd1', Date.now());
    expect(await b.tokens.verifyDeviceToken(token, 'u1', 'd1')).toEqual({ ok: false, failure: 'revoked' });
    await a.store.close();
    await b.store.close();
  });
});

describe('checkTimeAndAudience (S16)', () => {
  const base = { iss: 'i', aud: 'a', iat: 1000, exp: 1300 };
  const expected = { iss: 'i', aud: 'a', now: 1100, skew: 30 };
  it('S16: accepts nbf within the skew and refuses it beyond', () => {
    expect(checkTimeAndAudience({ ...base, nbf: 1120 }, expected)).toBeUndefined();
    expect(checkTimeAndAudience({ ...base, nbf: 1131 }, expected)).toBe('not_yet_valid');
  });
  it('S16: refuses exp in the past beyond the skew, a wrong iss and a missing exp', () => {
    expect(checkTimeAndAudience({ ...base, exp: 1070 }, expected)).toBe('expired');
    expect(checkTimeAndAudience({ ...base, exp: 1071 }, expected)).toBeUndefined();
    expect(checkTimeAndAudience({ ...base, iss: 'x' }, expected)).toBe('wrong_issuer');
    expect(checkTimeAndAudience({ iss: 'i', aud: 'a', iat: 1000 }, expected)).toBe('bad_claims');
    expect(checkTimeAndAudience({ ...base, aud: ['b', 'a'] }, expected)).toBeUndefined();
    expect(checkTimeAndAudience({ ...base, aud: ['b'] }, expected)).toBe('wrong_audience');
  });
  it('refuses malformed compact tokens', () => {
    for (const bad of [
      '',
      'a.b',
      'a.b.c.d',
      '!.e30.x',
      'e30.bm90LWpzb24.',
      'W10.e30.',
      `${'a'.repeat(9000)}.e30.x`,
      42,
    ]) {
      expect(parseJws(bad)).toBeUndefined();
    }
  });
});
