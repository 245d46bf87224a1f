import { afterEach, describe, expect, it, vi } from 'vitest';
import { StepgateClientError } from '../errors.js';
import {
  checkRouteOptions,
  type GuardOptions,
  normalizeGuardOptions,
  type RouteOptions,
} from './guard-options.js';

const getSubject = () => ({ id: 'u' });
const code = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (error) {
    return error instanceof StepgateClientError ? error.code : 'other';
  }
};

describe('guard options are checked at creation', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it("defaults: the framework's proxy trust, CDN geo, proxy under /stepgate with 64 KiB bodies", () => {
    const options = normalizeGuardOptions({ getSubject });
    expect(options.geo).toBe('cdn');
    expect(options.proxy).toEqual({ prefix: '/stepgate', publicOrigin: undefined, bodyLimitBytes: 65_536 });
    // Unset: the adapter's framework setting applies (none for the fetch adapter).
    expect(options.trust).toBeUndefined();
    expect(normalizeGuardOptions({ getSubject, trustProxy: false }).trust?.('127.0.0.1', 0)).toBe(false);
  });

  const bad: Array<[string, unknown]> = [
    ['no getSubject', {}],
    ['a prefix with a trailing slash', { getSubject, proxy: { prefix: '/stepgate/' } }],
    ['a relative prefix', { getSubject, proxy: { prefix: 'stepgate' } }],
    ['a dot-dot prefix', { getSubject, proxy: { prefix: '/a/..' } }],
    ['a publicOrigin with a path', { getSubject, proxy: { publicOrigin: 'https://bank.example/app' } }],
    ['a zero body limit', { getSubject, proxy: { bodyLimitBytes: 0 } }],
    ['an unknown geo mode', { getSubject, geo: 'maxmind' }],
    ['a bad trusted proxy', { getSubject, trustProxy: ['300.1.1.1'] }],
  ];
  for (const [name, options] of bad) {
    it(`refuses ${name}`, () => {
      expect(code(() => normalizeGuardOptions(options as GuardOptions<unknown>))).toBe('invalid_options');
    });
  }

  it('refuses a mounted proxy without publicOrigin when NODE_ENV=production (issue 15)', () => {
    vi.stubEnv('NODE_ENV', 'production');
    expect(code(() => normalizeGuardOptions({ getSubject }))).toBe('invalid_options');
    expect(code(() => normalizeGuardOptions({ getSubject, proxy: {} }))).toBe('invalid_options');
    expect(
      code(() => normalizeGuardOptions({ getSubject, proxy: { publicOrigin: 'https://bank.example' } })),
    ).toBe('ok');
    expect(code(() => normalizeGuardOptions({ getSubject, proxy: false }))).toBe('ok');
  });

  it('warns through process.emitWarning by default (a StepgateWarning with a code)', () => {
    const emitted = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    normalizeGuardOptions({ getSubject }).onWarning({ code: 'proxy_public_origin_unset', message: 'm' });
    expect(emitted).toHaveBeenCalledWith('m', {
      type: 'StepgateWarning',
      code: 'STEPGATE_PROXY_PUBLIC_ORIGIN_UNSET',
    });
  });

  it('refuses a route without a usable action or with a non-function extractor', () => {
    expect(code(() => checkRouteOptions({ action: '' }))).toBe('invalid_options');
    expect(code(() => checkRouteOptions({ action: 'pay ments' }))).toBe('invalid_options');
    expect(
      code(() => checkRouteOptions({ action: 'a.b', transaction: {} } as unknown as RouteOptions<unknown>)),
    ).toBe('invalid_options');
    expect(code(() => checkRouteOptions({ action: 'payments.transfer' }))).toBe('ok');
  });
});
