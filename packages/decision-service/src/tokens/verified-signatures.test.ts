import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';

// Counts ES256 verifications: a signature the cache knows must not be verified again.
const crypto = vi.hoisted(() => ({ verifications: 0 }));
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return {
    ...actual,
    verify: (...args: Parameters<typeof actual.verify>) => {
      crypto.verifications += 1;
      return actual.verify(...args);
    },
  };
});

const { parseJws, signEs256, VerifiedSignatures, verifyEs256 } = await import('./jwt.js');

const pair = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const TYP = 'stepgate-device+jwt';

function setup() {
  const { privateKey, publicKey } = pair();
  const keys = new Map<string, KeyObject>([['k1', publicKey]]);
  const keyFor = (kid: string) => keys.get(kid);
  const token = signEs256({ sub: 'u1', exp: 2_000_000_000 }, TYP, 'k1', privateKey);
  return { keys, keyFor, token, verified: new VerifiedSignatures() };
}

const check = (
  token: string,
  keyFor: (kid: string) => KeyObject | undefined,
  verified: InstanceType<typeof VerifiedSignatures>,
) => verifyEs256(parseJws(token)!, TYP, keyFor, verified);

describe('VerifiedSignatures', () => {
  it('verifies a signature once; the same token again costs no verification', () => {
    const { keyFor, token, verified } = setup();
    crypto.verifications = 0;
    expect(check(token, keyFor, verified)).toEqual({ ok: true, kid: 'k1' });
    expect(check(token, keyFor, verified)).toEqual({ ok: true, kid: 'k1' });
    expect(crypto.verifications).toBe(1);
  });

  it('never accepts from memory a changed token, a key no longer trusted or another key for the kid', () => {
    const { keys, keyFor, token, verified } = setup();
    expect(check(token, keyFor, verified).ok).toBe(true);
    const [h, p, s] = token.split('.') as [string, string, string];
    const flipped = `${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;
    expect(check(`${h}.${p}.${flipped}`, keyFor, verified)).toEqual({ ok: false, failure: 'bad_signature' });
    const otherPayload = Buffer.from(JSON.stringify({ sub: 'u2', exp: 2_000_000_000 })).toString('base64url');
    expect(check(`${h}.${otherPayload}.${s}`, keyFor, verified)).toEqual({
      ok: false,
      failure: 'bad_signature',
    });
    keys.set('k1', pair().publicKey); // the kid now names another key: verified again, and refused
    crypto.verifications = 0;
    expect(check(token, keyFor, verified)).toEqual({ ok: false, failure: 'bad_signature' });
    expect(crypto.verifications).toBe(1);
    keys.delete('k1'); // past its retention: the ring no longer returns it
    expect(check(token, keyFor, verified)).toEqual({ ok: false, failure: 'unknown_kid' });
  });

  it('keeps at most its bound, dropping the oldest first', () => {
    const { privateKey, publicKey } = pair();
    const keyFor = () => publicKey;
    const verified = new VerifiedSignatures(2);
    const tokens = [1, 2, 3].map((n) => signEs256({ n }, TYP, 'k1', privateKey));
    for (const t of tokens) check(t, keyFor, verified);
    crypto.verifications = 0;
    check(tokens[2]!, keyFor, verified);
    check(tokens[1]!, keyFor, verified);
    expect(crypto.verifications).toBe(0);
    check(tokens[0]!, keyFor, verified);
    expect(crypto.verifications).toBe(1);
  });
});
