import { describe, expect, it } from 'vitest';
import { matchProxyPath } from './paths.js';

describe('matchProxyPath()', () => {
  const forwarded = [
    ['/stepgate/v1/challenges/chl_AbC-1', '/v1/challenges/chl_AbC-1'],
    ['/stepgate/v1/challenges/chl_1/start?x=1', '/v1/challenges/chl_1/start'],
    ['/stepgate/v1/challenges/chl_1/verify', '/v1/challenges/chl_1/verify'],
    ['/stepgate/v1/enrollments/enr_1', '/v1/enrollments/enr_1'],
    ['/stepgate/v1/enrollments/enr_1/totp/confirm', '/v1/enrollments/enr_1/totp/confirm'],
    ['/stepgate/v1/enrollments/enr_1/webauthn/options', '/v1/enrollments/enr_1/webauthn/options'],
    ['/stepgate/v1/enrollments/enr_1/device-key', '/v1/enrollments/enr_1/device-key'],
  ] as const;
  for (const [target, servicePath] of forwarded) {
    it(`forwards ${target}`, () => {
      expect(matchProxyPath(target, '/stepgate')).toEqual({ type: 'forward', servicePath });
    });
  }

  const notFound = [
    '/stepgate',
    '/stepgate/',
    '/stepgate/v1/decisions',
    '/stepgate/v1/enrollments',
    '/stepgate/v1/challenges',
    '/stepgate/v1/challenges/',
    '/stepgate/v1/users/u_1',
    '/stepgate/v1/dev/outbox',
    '/stepgate/v1/audit',
    '/stepgate/metrics',
    '/stepgate/v1/challenges/chl_1/../../decisions',
    '/stepgate/v1/challenges/./chl_1',
    '/stepgate/v1/challenges//chl_1',
    '/stepgate/v1/challenges/chl_1%2F..%2Fx',
    '/stepgate/v1/challenges/%63hl_1',
    '/stepgate/v1/challenges/chl_1\\..\\x',
    '/stepgate/v1/challenges/chl_1/a/b/c',
    '/stepgate/v1/challenges/chl_1/START',
    `/stepgate/v1/challenges/${'a'.repeat(129)}`,
  ];
  for (const target of notFound) {
    it(`refuses ${target.slice(0, 60)}`, () => {
      expect(matchProxyPath(target, '/stepgate').type).toBe('not_found');
    });
  }

  it('ignores paths outside the prefix, including look-alikes', () => {
    expect(matchProxyPath('/api/transfer', '/stepgate').type).toBe('outside');
    expect(matchProxyPath('/stepgatex/v1/challenges/chl_1', '/stepgate').type).toBe('outside');
    expect(matchProxyPath('/auth/sg/v1/challenges/chl_1', '/auth/sg')).toEqual({
      type: 'forward',
      servicePath: '/v1/challenges/chl_1',
    });
  });
});
