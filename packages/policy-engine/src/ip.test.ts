import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cidrError, compileRanges, ipInRanges, parseIp, parseIpv4 } from './ip.js';

describe('ip ranges', () => {
  const set = compileRanges(['10.0.0.0/8', '192.168.1.0/24', '203.0.113.7', '2001:db8::/32', '10.1.0.0/16']);
  it.each([
    ['10.2.3.4', true],
    ['11.0.0.1', false],
    ['192.168.1.255', true],
    ['192.168.2.0', false],
    ['203.0.113.7', true],
    ['203.0.113.8', false],
    ['2001:db8::1', true],
    ['2001:db9::1', false],
    ['::ffff:10.9.9.9', true],
    ['not an ip', false],
    ['010.0.0.1', false],
  ])('%s in set is %s', (ip, expected) => {
    expect(ipInRanges(set, parseIp(ip))).toBe(expected);
  });
  it('parses dotted quads strictly', () => {
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIpv4('1.2.3')).toBe(-1);
    expect(parseIpv4('1.2.3.256')).toBe(-1);
    expect(parseIpv4('1..2.3')).toBe(-1);
  });
  it('looks IPv4 addresses up exactly as an unsigned range comparison, across the whole space', () => {
    const quad = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
    const text = (q: number[]) => q.join('.');
    const value = (q: number[]) => q.reduce((v, b) => v * 256 + b, 0);
    fc.assert(
      fc.property(quad, fc.integer({ min: 0, max: 32 }), quad, (base, bits, probe) => {
        const ranges = compileRanges([`${text(base)}/${bits}`, '0.0.0.0/32', '255.255.255.255/32']);
        const size = 2 ** (32 - bits);
        const start = Math.floor(value(base) / size) * size;
        const v = value(probe);
        const expected = (v >= start && v < start + size) || v === 0 || v === 0xffffffff;
        expect(ipInRanges(ranges, parseIp(text(probe)))).toBe(expected);
        expect(parseIp(text(probe)) === undefined).toBe(parseIpv4(text(probe)) < 0);
      }),
      { numRuns: 2000 },
    );
    // Classful, octal and hex IPv4 forms are refused, not read as another address.
    for (const junk of [
      '1.2.3.256',
      '1..2.3',
      '1.2.3.4.',
      ' 1.2.3.4',
      '1.2.3',
      '01.2.3.4',
      '0x7f.0.0.1',
      '127.1',
    ]) {
      expect(parseIp(junk)).toBeUndefined();
    }
  });
  it('reports bad CIDRs', () => {
    expect(cidrError('10.0.0.0/33')).toMatch(/not a valid CIDR/);
    expect(cidrError('10.0.0.0/8')).toBeUndefined();
    expect(cidrError('2001:db8::/129')).toMatch(/not a valid CIDR/);
  });
});
