import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { StepgateClientError } from '../errors.js';
import { canonicalIp, clientIp, compileTrust } from './client-ip.js';
import { viewFromNodeHeaders } from './request-view.js';

const view = (remote: string | undefined, xff?: string) =>
  viewFromNodeHeaders('GET', '/', xff === undefined ? {} : { 'x-forwarded-for': xff }, remote, false);

describe('client IP with trusted-proxy rules (proxy-addr semantics)', () => {
  const cases: Array<
    [string, Parameters<typeof compileTrust>[0], string | undefined, string | undefined, string]
  > = [
    ['no trust: the TCP peer', false, '10.0.0.2', '203.0.113.7', '10.0.0.2'],
    ['trust all: the left-most address', true, '10.0.0.2', '203.0.113.7, 198.51.100.1', '203.0.113.7'],
    ['one hop', 1, '10.0.0.2', '203.0.113.7, 198.51.100.1', '198.51.100.1'],
    ['a CIDR list', ['10.0.0.0/8'], '10.0.0.2', '203.0.113.7, 10.0.0.9', '203.0.113.7'],
    ['a comma string with presets', 'loopback, uniquelocal', '::1', '203.0.113.7', '203.0.113.7'],
    ['an untrusted peer: XFF ignored', ['10.0.0.0/8'], '192.0.2.1', '203.0.113.7', '192.0.2.1'],
    ['IPv4-mapped IPv6 peer', false, '::ffff:127.0.0.1', undefined, '127.0.0.1'],
    ['a garbage hop falls back to the nearest valid one', true, '10.0.0.2', 'nonsense', '10.0.0.2'],
    ['a function', (addr) => addr === '10.0.0.2', '10.0.0.2', '203.0.113.7', '203.0.113.7'],
  ];
  for (const [name, trust, remote, xff, expected] of cases) {
    it(name, () => {
      expect(clientIp(view(remote, xff), compileTrust(trust))).toBe(expected);
    });
  }

  it('rejects an unparsable trust entry at creation', () => {
    expect(() => compileTrust(['not-an-ip'])).toThrow(StepgateClientError);
    expect(() => compileTrust(-1)).toThrow(StepgateClientError);
  });

  it('canonicalises only real addresses', () => {
    expect(canonicalIp('1')).toBeUndefined();
    expect(canonicalIp('0x7f.1')).toBeUndefined();
    expect(canonicalIp('2001:DB8::1')).toBe('2001:db8::1');
  });

  it('takes exactly the IPv4 forms ipaddr.js takes as four dotted decimals, unchanged', () => {
    // The reference: what canonicalIp did for IPv4 before it used node:net's check.
    const reference = (v: string) =>
      ipaddr.IPv4.isValidFourPartDecimal(v) ? ipaddr.IPv4.parse(v).toString() : undefined;
    const parts = ['0', '00', '01', '1', '99', '100', '255', '256', '0x7f', '-1', '', ' 1', '1e1', '٣'];
    let compared = 0;
    const differing: string[] = [];
    for (const a of parts)
      for (const b of ['0', '01', '255', '256', 'x'])
        for (const c of parts)
          for (const d of parts)
            for (const v of [`${a}.${b}.${c}.${d}`, `${a}.${c}.${d}`, `${a}.${b}.${c}.${d}.1`]) {
              // None of these is IPv6 either, so nothing else may accept them.
              if (canonicalIp(v) !== reference(v)) differing.push(v);
              compared += 1;
            }
    expect(differing).toEqual([]);
    expect(compared).toBe(parts.length ** 3 * 5 * 3);
    expect(canonicalIp('203.0.113.7')).toBe('203.0.113.7');
    expect(canonicalIp('203.0.113.07')).toBeUndefined();
  });
});
