import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, MAX_CANONICAL_DEPTH } from './canonical-json.js';
import { StepgateError } from './errors.js';

/** An IEEE 754 double from its big-endian hex bit pattern. */
function double(bits: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${bits}`));
  return view.getFloat64(0);
}

const hex = (text: string) =>
  [...new TextEncoder().encode(text)].map((b) => b.toString(16).padStart(2, '0')).join(' ');

/** Shuffles object members at every level (a deterministic permutation from the seed). */
function reorder(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v, i) => reorder(v, seed + i));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  const shuffled = entries
    .map((e, i) => [e, (i * 7919 + seed * 104729) % (entries.length + 13)] as const)
    .sort((a, b) => a[1] - b[1])
    .map(([e]) => [e[0], reorder(e[1], seed + 1)]);
  return Object.fromEntries(shuffled);
}

describe('canonicalJson (RFC 8785)', () => {
  it('serialises the §3.2.2 example to the §3.2.4 UTF-8 bytes', () => {
    const input =
      '{\n  "numbers": [333333333.33333329, 1E30, 4.50,\n              2e-3, 0.000000000000000000000000001],\n' +
      '  "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n  "literals": [null, true, false]\n}';
    const output = canonicalJson(JSON.parse(input));
    expect(output).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
    expect(hex(output)).toBe(
      [
        '7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72',
        '75 65 2c 66 61 6c 73 65 5d 2c 22 6e 75 6d 62 65 72 73 22 3a',
        '5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31',
        '65 2b 33 30 2c 34 2e 35 2c 30 2e 30 30 32 2c 31 65 2d 32 37',
        '5d 2c 22 73 74 72 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30',
        '30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d',
      ].join(' '),
    );
  });

  it('sorts members by UTF-16 code units (§3.2.3 example)', () => {
    const input =
      '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One",' +
      ' "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control", "\\u00f6": "Latin Small Letter O With Diaeresis"}';
    // Not re-parsed: JavaScript would move the integer-like name "1" first.
    expect(canonicalJson(JSON.parse(input))).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin Small Letter O With Diaeresis",' +
        '"€":"Euro Sign","😀":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('serialises every finite number of Appendix B as ECMAScript does', () => {
    const table: Array<[string, string]> = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'],
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'],
      ['444b1ae4d6e2ef4f', '999999999999999900000'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [bits, expected] of table) expect(canonicalJson(double(bits)), bits).toBe(expected);
  });

  it('throws invalid_request for NaN and ±Infinity (Appendix B error rows), with the path', () => {
    for (const bits of ['7fffffffffffffff', '7ff0000000000000', 'fff0000000000000']) {
      expect(() => canonicalJson({ a: [double(bits)] })).toThrow(StepgateError);
    }
    try {
      canonicalJson({ amount: { 'a/b': Number.NaN } });
      expect.unreachable();
    } catch (error) {
      expect((error as StepgateError).code).toBe('invalid_request');
      expect((error as StepgateError).details).toEqual({ path: '/amount/a~1b' });
    }
  });

  it('refuses values outside the I-JSON data model', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    let deep: unknown = 1;
    for (let i = 0; i <= MAX_CANONICAL_DEPTH; i++) deep = [deep];
    const bad: unknown[] = [
      undefined,
      [undefined],
      { a: 1n },
      { a: () => 1 },
      { a: Symbol('x') },
      { a: new Date(0) },
      { a: new Map() },
      { a: '\ud800' },
      { '\udc00': 1 },
      circular,
      deep,
    ];
    for (const value of bad) expect(() => canonicalJson(value)).toThrow(StepgateError);
  });

  it('leaves out undefined members and accepts null-prototype objects and shared (non-circular) values', () => {
    const shared = { x: 1 };
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { b: 2, a: 1 });
    expect(canonicalJson({ z: undefined, s: [shared, shared], bare })).toBe(
      '{"bare":{"a":1,"b":2},"s":[{"x":1},{"x":1}]}',
    );
  });

  it('property: the same as JSON.stringify after sorting, and stable under member order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (value, seed) => {
        const canonical = canonicalJson(value);
        expect(JSON.parse(canonical)).toEqual(JSON.parse(JSON.stringify(value)));
        expect(canonicalJson(reorder(value, seed))).toBe(canonical);
      }),
      { numRuns: 300 },
    );
  });

  it('property: idempotent — parsing the canonical form canonicalises to the same string', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const canonical = canonicalJson(value);
        expect(canonicalJson(JSON.parse(canonical))).toBe(canonical);
      }),
      { numRuns: 300 },
    );
  });

  it('property: numbers serialise as ECMAScript Number::toString and parse back to the same double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        const text = canonicalJson(n);
        expect(text).toBe(Object.is(n, -0) ? '0' : String(n));
        expect(JSON.parse(text)).toBe(n === 0 ? 0 : n);
      }),
    );
  });
});
