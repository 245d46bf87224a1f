import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64Url, encodeBase64Url } from './base64url.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('base64url', () => {
  it('matches the RFC 4648 §10 test vectors (unpadded, url alphabet)', () => {
    const vectors: Array<[string, string]> = [
      ['', ''],
      ['f', 'Zg'],
      ['fo', 'Zm8'],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg'],
      ['fooba', 'Zm9vYmE'],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, encoded] of vectors) {
      expect(encodeBase64Url(bytes(plain))).toBe(encoded);
      expect(decodeBase64Url(encoded, true)).toEqual(bytes(plain));
    }
    expect(encodeBase64Url(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe('-_-_');
  });

  it('decodes padded standard base64 when not strict, and refuses it when strict', () => {
    expect(decodeBase64Url('Zm9vYg==')).toEqual(bytes('foob'));
    expect(decodeBase64Url('+/+/')).toEqual(new Uint8Array([0xfb, 0xff, 0xbf]));
    expect(decodeBase64Url('Zm9vYg==', true)).toBeNull();
    expect(decodeBase64Url('+/+/', true)).toBeNull();
  });

  it('rejects foreign characters, bad lengths, stray padding and non-zero trailing bits', () => {
    for (const bad of ['Z', 'Zm9vY', 'Zm 9v', 'Zm9v===', 'Zm=9v', 'Zg=', 'Zh', 'é']) {
      expect(decodeBase64Url(bad)).toBeNull();
    }
  });

  it('property: decode(encode(bytes)) equals bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        expect(decodeBase64Url(encodeBase64Url(data), true)).toEqual(data);
      }),
    );
  });
});
