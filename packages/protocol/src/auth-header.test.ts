import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isToken, parseAuthenticateHeader, quoteString } from './auth-header.js';

describe('WWW-Authenticate grammar (RFC 9110 §11)', () => {
  it('parses several challenges with token68, quoted and bare values', () => {
    expect(
      parseAuthenticateHeader(
        'Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple", Negotiate a87421000492aa874209af8bc028==',
      ),
    ).toEqual([
      { scheme: 'Newauth', params: { realm: 'apps', type: '1', title: 'Login to "apps"' } },
      { scheme: 'Basic', params: { realm: 'simple' } },
      { scheme: 'Negotiate', token68: 'a87421000492aa874209af8bc028==', params: {} },
    ]);
  });

  it('accepts odd whitespace, empty list elements, BWS around "=" and lower-cases parameter names', () => {
    expect(parseAuthenticateHeader(' ,, Bearer\tRealm = "x" ,  ,Error=invalid_token ,Basic,')).toEqual([
      { scheme: 'Bearer', params: { realm: 'x', error: 'invalid_token' } },
      { scheme: 'Basic', params: {} },
    ]);
  });

  it('unescapes any quoted-pair and keeps commas and "=" inside quoted strings', () => {
    expect(parseAuthenticateHeader('Bearer a="x, y=z", b="\\a\\\\b"')).toEqual([
      { scheme: 'Bearer', params: { a: 'x, y=z', b: 'a\\b' } },
    ]);
  });

  it('tells a token68 from a parameter by what follows it', () => {
    expect(parseAuthenticateHeader('Bearer realm=')).toEqual([
      { scheme: 'Bearer', token68: 'realm=', params: {} },
    ]);
    expect(parseAuthenticateHeader('Basic abc=')).toEqual([{ scheme: 'Basic', token68: 'abc=', params: {} }]);
    expect(parseAuthenticateHeader('Basic abc=d')).toEqual([{ scheme: 'Basic', params: { abc: 'd' } }]);
    expect(parseAuthenticateHeader('Basic a/b+c=, Bearer')).toEqual([
      { scheme: 'Basic', token68: 'a/b+c=', params: {} },
      { scheme: 'Bearer', params: {} },
    ]);
  });

  it('keeps a __proto__ parameter as plain data', () => {
    const [c] = parseAuthenticateHeader('Bearer __proto__="x"') ?? [];
    expect(Object.getPrototypeOf(c?.params)).toBe(Object.prototype);
    expect(Object.hasOwn(c?.params ?? {}, '__proto__')).toBe(true);
  });

  it('returns null for input that breaks the grammar', () => {
    for (const bad of [
      'Bearer realm="unterminated',
      'Bearer a=b, c=',
      'Bearer realm="x" junk',
      'Bearer a="1", a="2"',
      'Basic abc=, realm="x"',
      '=x',
      'Bearer="x"',
      'Bearer a=b c',
      'Bearer realm="\u0001"',
      'Bearer realm="x\\',
      '"quoted"',
    ]) {
      expect(parseAuthenticateHeader(bad), bad).toBeNull();
    }
  });

  it('quotes strings so they parse back, and refuses characters a header cannot carry', () => {
    expect(quoteString('say "hi" \\ bye')).toBe('"say \\"hi\\" \\\\ bye"');
    expect(quoteString('line\nbreak')).toBeNull();
    expect(quoteString('€')).toBeNull();
    expect(isToken('Bearer')).toBe(true);
    expect(isToken('a b')).toBe(false);
    expect(isToken('')).toBe(false);
  });

  it('property: a quoted value parses back to itself', () => {
    const printable = fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    });
    fc.assert(
      fc.property(printable, (value) => {
        const q = quoteString(value);
        expect(parseAuthenticateHeader(`X a=${q}`)).toEqual([{ scheme: 'X', params: { a: value } }]);
      }),
    );
  });

  it('property: never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'Bearer a=",\\ \t=/+x') }), (text) => {
        parseAuthenticateHeader(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: any list of challenges serialised with odd spacing and empty elements parses back', () => {
    const tchar = fc.constantFrom(..."!#$%&'*+-.^_`|~09AZaz".split(''));
    const token = fc.string({ unit: tchar, minLength: 1, maxLength: 8 });
    const t68 = fc
      .tuple(
        fc.string({ unit: fc.constantFrom(...'AZaz09-._~+/'.split('')), minLength: 1, maxLength: 12 }),
        fc.nat(2),
      )
      .map(([body, pad]) => body + '='.repeat(pad));
    const printable = fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    });
    const value = fc.oneof(token, printable);
    const params = fc.uniqueArray(fc.tuple(token, value), {
      selector: ([k]) => k.toLowerCase(),
      maxLength: 4,
    });
    const challenge = fc.record({
      scheme: token,
      body: fc.oneof(
        t68.map((v) => ({ t68: v })),
        params.map((p) => ({ p })),
      ),
    });
    const ws = fc.constantFrom('', ' ', '  ', '\t');
    const sep = fc.constantFrom(',', ', ', ' ,', ' , , ', ',,');
    fc.assert(
      fc.property(
        fc.array(challenge, { minLength: 1, maxLength: 4 }),
        ws,
        sep,
        fc.boolean(),
        (list, w, comma, quoteAll) => {
          const text = list
            .map(({ scheme, body }) => {
              if ('t68' in body) return `${scheme} ${body.t68}`;
              if (body.p.length === 0) return scheme;
              const rendered = body.p.map(([k, v]) => {
                const bare = !quoteAll && /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(v);
                return `${k}${w}=${w}${bare ? v : quoteString(v)}`;
              });
              return `${scheme} ${rendered.join(comma)}`;
            })
            .join(comma);
          const expected = list.map(({ scheme, body }) =>
            't68' in body
              ? { scheme, token68: body.t68, params: {} }
              : { scheme, params: Object.fromEntries(body.p.map(([k, v]) => [k.toLowerCase(), v])) },
          );
          expect(parseAuthenticateHeader(`${w}${text}${w}`)).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
