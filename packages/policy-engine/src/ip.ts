/**
 * IP addresses and precompiled CIDR range sets. CIDRs are parsed once with ipaddr.js at compile
 * time; at evaluation an IPv4 dotted quad is parsed by a small allocation-free scanner and looked
 * up by binary search in merged ranges. IPv6 (and IPv4-mapped IPv6) go through ipaddr.js.
 */
import ipaddr from 'ipaddr.js';

/** A set of CIDR ranges, merged and sorted. */
export interface RangeSet {
  /** IPv4 ranges as [start, end] pairs of biased keys (see `v4Key`), flattened. */
  readonly v4: Int32Array;
  /** IPv6 ranges as [start, end] pairs. */
  readonly v6: ReadonlyArray<readonly [bigint, bigint]>;
}

/**
 * Parses a dotted-quad IPv4 address to an unsigned 32-bit integer; -1 when it is not one.
 * Leading zeros are rejected (they mean octal to some parsers).
 */
export function parseIpv4(s: string): number {
  const n = s.length;
  if (n < 7 || n > 15) return -1;
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1;
      part = part * 10 + (c - 48);
      if (part > 255) return -1;
      digits++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

/**
 * An IPv4 address as a lookup key: the unsigned value with its top bit flipped, as a signed
 * 32-bit integer. Order is preserved and the key is a small integer, never a boxed number.
 */
const v4Key = (unsigned: number): number => (unsigned ^ 0x80000000) | 0;

/** Not an IPv4 key (no 32-bit integer equals it). */
const NOT_V4 = 2 ** 32;

/** `v4Key(parseIpv4(s))`, or `NOT_V4` — the same scanner, returning an unboxed key. */
function parseV4Key(s: string): number {
  const n = s.length;
  if (n < 7 || n > 15) return NOT_V4;
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return NOT_V4;
      value = (value << 8) | part | 0;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return NOT_V4;
      part = part * 10 + (c - 48);
      if (part > 255) return NOT_V4;
      digits++;
    } else {
      return NOT_V4;
    }
  }
  if (dots !== 3 || digits === 0) return NOT_V4;
  return (((value << 8) | part) ^ 0x80000000) | 0;
}

function bytesToBigInt(bytes: number[]): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** Parses an IPv6 address (or an IPv4-mapped one, returned as IPv4 in `v4`). */
function parseOther(s: string): { v4: number } | { v6: bigint } | undefined {
  // Only IPv6 forms (IPv4-mapped ones included) reach ipaddr.js: it also reads IPv4 in classful and
  // octal forms (`1.2.3`, `01.2.3.4`), which the strict scanner above refuses on purpose.
  if (s.length > 64 || !s.includes(':') || !ipaddr.isValid(s)) return undefined;
  const addr = ipaddr.process(s);
  if (addr.kind() === 'ipv4') return { v4: v4Key(bytesToBigIntNumber(addr.toByteArray())) };
  return { v6: bytesToBigInt(addr.toByteArray()) };
}

function bytesToBigIntNumber(bytes: number[]): number {
  return (
    (((bytes[0] as number) * 256 + (bytes[1] as number)) * 256 + (bytes[2] as number)) * 256 +
    (bytes[3] as number)
  );
}

/** Checks a CIDR (`10.0.0.0/8`, `2001:db8::/32`) or a bare address; returns an error message or undefined. */
export function cidrError(cidr: unknown): string | undefined {
  if (typeof cidr !== 'string') return 'must be a string';
  if (ipaddr.isValidCIDR(cidr) || ipaddr.isValid(cidr)) {
    if (cidr.includes('.') && !cidr.includes(':') && parseIpv4(cidr.split('/')[0] as string) < 0) {
      return `"${cidr}" is not a four-part decimal IPv4 address`;
    }
    return undefined;
  }
  return `"${cidr}" is not a valid CIDR range`;
}

/**
 * Compiles CIDR strings into a merged range set. Throws `Error` for an invalid range
 * (documents are validated before, with located errors).
 */
export function compileRanges(cidrs: readonly string[]): RangeSet {
  const v4: Array<[number, number]> = [];
  const v6: Array<[bigint, bigint]> = [];
  for (const cidr of cidrs) {
    const [addr, bits] = cidr.includes('/') ? ipaddr.parseCIDR(cidr) : [ipaddr.parse(cidr), -1];
    if (addr.kind() === 'ipv4') {
      const prefix = bits < 0 ? 32 : bits;
      const size = 2 ** (32 - prefix);
      const start = Math.floor(bytesToBigIntNumber(addr.toByteArray()) / size) * size;
      v4.push([start, start + size - 1]);
    } else {
      const prefix = BigInt(bits < 0 ? 128 : bits);
      const hostBits = 128n - prefix;
      const start = (bytesToBigInt(addr.toByteArray()) >> hostBits) << hostBits;
      v6.push([start, start + (1n << hostBits) - 1n]);
    }
  }
  v4.sort((a, b) => a[0] - b[0]);
  const merged: number[] = [];
  for (const [s, e] of v4) {
    const n = merged.length;
    if (n > 0 && s <= (merged[n - 1] as number) + 1) merged[n - 1] = Math.max(merged[n - 1] as number, e);
    else merged.push(s, e);
  }
  return { v4: Int32Array.from(merged, v4Key), v6 };
}

function inV4(set: RangeSet, ip: number): boolean {
  const r = set.v4;
  let lo = 0;
  let hi = (r.length >> 1) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ip < (r[mid * 2] as number)) hi = mid - 1;
    else if (ip > (r[mid * 2 + 1] as number)) lo = mid + 1;
    else return true;
  }
  return false;
}

/** A parsed address: a number (an IPv4 key) for IPv4, a bigint for IPv6, undefined when not an address. */
export type ParsedIp = number | bigint | undefined;

// The last address parsed: one request parses its `context.ip` up to three times (the field type
// check, the IP-list signals, a `cidr` condition); the same string object is then a pointer compare.
let lastText: string | undefined;
let lastParsed: ParsedIp;

/** Parses an IP address string for `ipInRanges`. */
export function parseIp(value: unknown): ParsedIp {
  if (typeof value !== 'string') return undefined;
  if (value === lastText) return lastParsed;
  const v4 = parseV4Key(value);
  let parsed: ParsedIp;
  if (v4 !== NOT_V4) parsed = v4;
  else {
    const other = parseOther(value);
    parsed = other === undefined ? undefined : 'v4' in other ? other.v4 : other.v6;
  }
  lastText = value;
  lastParsed = parsed;
  return parsed;
}

/** Tells whether a parsed address is inside a range set. */
export function ipInRanges(set: RangeSet, ip: ParsedIp): boolean {
  if (typeof ip === 'number') return inV4(set, ip);
  if (typeof ip === 'bigint') {
    for (const [s, e] of set.v6) if (ip >= s && ip <= e) return true;
  }
  return false;
}

/** Tells whether a value is an IP address string the `cidr` operator can test (the `ip` field type). */
export function isIpAddress(value: string): boolean {
  return parseIp(value) !== undefined;
}
