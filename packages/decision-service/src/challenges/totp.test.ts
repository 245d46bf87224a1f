import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { base32, hotp, matchTotp, newTotpSecret, otpauthUri, type TotpAlgorithm, totpAt } from './totp.js';

interface Vectors {
  rfc4226_appendix_d: { secret_ascii: string; vectors: Array<{ counter: number; hotp: string }> };
  rfc6238_appendix_b: {
    seeds_ascii: Record<TotpAlgorithm, string>;
    vectors: Array<{ time: number; alg: TotpAlgorithm; totp: string }>;
  };
}
const vectors = JSON.parse(
  readFileSync(new URL('../../test/vectors/security-vectors.json', import.meta.url), 'utf8'),
) as Vectors;

describe('TOTP and HOTP (RFC 4226, RFC 6238)', () => {
  it('S4: passes every RFC 4226 Appendix D vector', () => {
    const { secret_ascii, vectors: list } = vectors.rfc4226_appendix_d;
    expect(list).toHaveLength(10);
    for (const v of list) expect(hotp(Buffer.from(secret_ascii), v.counter)).toBe(v.hotp);
  });

  it('S4: passes every RFC 6238 Appendix B vector, SHA-1/256/512, including time 20000000000', () => {
    const { seeds_ascii, vectors: list } = vectors.rfc6238_appendix_b;
    expect(list).toHaveLength(18);
    expect(list.some((v) => v.time === 20_000_000_000)).toBe(true);
    for (const v of list) {
      const secret = Buffer.from(seeds_ascii[v.alg]);
      expect(totpAt(secret, v.time, { algorithm: v.alg, digits: 8 }), `${v.alg} @ ${v.time}`).toBe(v.totp);
    }
  });

  it('S5: accepts T−1, T and T+1 and tells the step; rejects T±2', () => {
    const secret = newTotpSecret();
    const now = 1_900_000_000;
    const step = Math.floor(now / 30);
    for (const d of [-1, 0, 1]) expect(matchTotp(secret, hotp(secret, step + d), now)).toBe(step + d);
    for (const d of [-2, 2]) expect(matchTotp(secret, hotp(secret, step + d), now)).toBeUndefined();
    expect(matchTotp(secret, '000000'.slice(0, 5), now)).toBeUndefined();
  });

  it('S9: new secrets are 160 random bits; the otpauth URI carries the base32 secret', () => {
    const a = newTotpSecret();
    expect(a).toHaveLength(20);
    expect(a.equals(newTotpSecret())).toBe(false);
    const b32 = base32(a);
    expect(b32).toMatch(/^[A-Z2-7]{32}$/);
    const uri = otpauthUri({ secret: a, issuer: 'Bank', account: 'jane@example.com' });
    expect(uri).toMatch(/^otpauth:\/\/totp\/Bank:jane%40example\.com\?/);
    expect(new URL(uri).searchParams.get('secret')).toBe(b32);
    expect(new URL(uri).searchParams.get('period')).toBe('30');
  });
});
