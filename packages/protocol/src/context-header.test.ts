import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBase64Url } from './base64url.js';
import {
  CONTEXT_LIMITS,
  decodeStepUpContext,
  encodeStepUpContext,
  MAX_CONTEXT_HEADER_BYTES,
} from './context-header.js';
import { StepgateError } from './errors.js';
import type { StepUpContext } from './types.js';

const utf8 = (text: string) => encodeBase64Url(new TextEncoder().encode(text));

const sample: StepUpContext = {
  v: 1,
  deviceId: 'dev_3f2a',
  fingerprint: 'fp_9c1e',
  deviceToken: 'eyJhbGciOiJFUzI1NiJ9.e30.sig',
  signals: {
    tz: 'Europe/Paris',
    lang: 'fr-FR,fr,en',
    screen: '1920x1080@2',
    platform: 'MacIntel',
    cores: 8,
    memory: 8,
    touch: 0,
    colorDepth: 30,
    webgl: 'ANGLE (Apple, M1)',
    webdriver: false,
    webauthn: true,
    platformAuthenticator: true,
    webview: 'ios',
  },
};

const contextArbitrary: fc.Arbitrary<StepUpContext> = fc.record(
  {
    v: fc.constant(1 as const),
    deviceId: fc.string({ minLength: 1, maxLength: CONTEXT_LIMITS.deviceId }),
    fingerprint: fc.string({ minLength: 1, maxLength: CONTEXT_LIMITS.fingerprint }),
    deviceToken: fc.string({ minLength: 1, maxLength: 600 }),
    signals: fc.record(
      {
        tz: fc.string({ minLength: 1, maxLength: 40 }),
        lang: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
        cores: fc.integer({ min: 0, max: 256 }),
        memory: fc.double({ min: 0, max: 1024, noNaN: true }),
        webdriver: fc.boolean(),
        webview: fc.constantFrom('ios', 'android', 'react-native'),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['v', 'deviceId', 'fingerprint', 'signals'] },
);

describe('Step-Up-Context codec', () => {
  it('round-trips a full context as unpadded base64url', () => {
    const header = encodeStepUpContext(sample);
    expect(header).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeStepUpContext(header)).toEqual(sample);
  });

  it('round-trips non-ASCII text through UTF-8', () => {
    const ctx: StepUpContext = { v: 1, deviceId: 'é😀', fingerprint: 'ß', signals: { tz: 'Asia/東京' } };
    expect(decodeStepUpContext(encodeStepUpContext(ctx))).toEqual(ctx);
  });

  it('drops unknown members instead of failing (forward compatible)', () => {
    const header = utf8(JSON.stringify({ ...sample, extra: 1, signals: { tz: 'UTC', battery: 0.5 } }));
    const { deviceToken, ...rest } = sample;
    expect(decodeStepUpContext(header)).toEqual({ ...rest, deviceToken, signals: { tz: 'UTC' } });
  });

  it('S25: returns null for absent, malformed, wrong-version and wrong-shape headers', () => {
    const bad: unknown[] = [
      null,
      undefined,
      '',
      '!!!',
      'a',
      `${utf8(JSON.stringify(sample))}=`,
      utf8('not json'),
      utf8('null'),
      utf8('[]'),
      utf8(JSON.stringify({ ...sample, v: 2 })),
      utf8(JSON.stringify({ ...sample, v: '1' })),
      utf8(JSON.stringify({ ...sample, deviceId: '' })),
      utf8(JSON.stringify({ ...sample, deviceId: 7 })),
      utf8(JSON.stringify({ ...sample, fingerprint: undefined })),
      utf8(JSON.stringify({ ...sample, deviceToken: null })),
      utf8(JSON.stringify({ ...sample, signals: null })),
      utf8(JSON.stringify({ ...sample, signals: { cores: -1 } })),
      utf8(JSON.stringify({ ...sample, signals: { cores: '8' } })),
      utf8(JSON.stringify({ ...sample, signals: { webdriver: 'false' } })),
      utf8(JSON.stringify({ ...sample, signals: { tz: 'x'.repeat(CONTEXT_LIMITS.signalString + 1) } })),
      encodeBase64Url(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])),
    ];
    for (const header of bad) expect(decodeStepUpContext(header as string)).toBeNull();
  });

  it('returns null for a header over 4096 bytes, even if it is otherwise valid', () => {
    const big = utf8(
      JSON.stringify({ ...sample, signals: { tz: 'x', webgl: 'y'.repeat(200) }, pad: 'z'.repeat(3200) }),
    );
    expect(big.length).toBeGreaterThan(MAX_CONTEXT_HEADER_BYTES);
    expect(decodeStepUpContext(big)).toBeNull();
    expect(decodeStepUpContext(big.slice(0, 100))).toBeNull();
  });

  it('refuses to encode a wrong shape or an oversized context', () => {
    expect(() => encodeStepUpContext({ ...sample, v: 2 } as unknown as StepUpContext)).toThrow(StepgateError);
    const huge = { ...sample, deviceToken: 'x'.repeat(CONTEXT_LIMITS.deviceToken), signals: {} };
    const oversized = { ...huge, fingerprint: 'f'.repeat(128), deviceId: '😀'.repeat(64) };
    const tooBig = {
      ...oversized,
      signals: Object.fromEntries(
        ['tz', 'lang', 'screen', 'platform', 'webgl'].map((k) => [k, '€'.repeat(256)]),
      ),
    };
    try {
      encodeStepUpContext(tooBig);
      expect.unreachable('should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(StepgateError);
      expect((error as StepgateError).code).toBe('invalid_request');
    }
  });

  it('property: decode(encode(ctx)) equals ctx', () => {
    fc.assert(
      fc.property(contextArbitrary, (ctx) => {
        expect(decodeStepUpContext(encodeStepUpContext(ctx))).toEqual(ctx);
      }),
    );
  });

  it('property: decode never throws and returns null or a well-formed context on arbitrary input', () => {
    const arbitraryHeaders = fc.oneof(
      fc.string({ maxLength: 5000 }),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.base64String({ maxLength: 400 }),
      fc.json().map(utf8),
      fc.anything().map((v) => utf8(JSON.stringify(v) ?? 'undefined')),
    );
    fc.assert(
      fc.property(arbitraryHeaders, (header) => {
        const ctx = decodeStepUpContext(header);
        if (ctx !== null) expect(decodeStepUpContext(encodeStepUpContext(ctx))).toEqual(ctx);
      }),
      { numRuns: 500 },
    );
  });
});
