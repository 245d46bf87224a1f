import { describe, expect, it } from 'vitest';
import { createStepgate } from './client/create-stepgate.js';
import { StepgateClientError } from './errors.js';
import { normalizeOptions, type StepgateOptions } from './options.js';

const good = { serviceUrl: 'http://127.0.0.1:8787/', apiKey: 'sk_test_0123456789' };

describe('normalizeOptions()', () => {
  it('merges the defaults and trims the trailing slash', () => {
    const options = normalizeOptions(good);
    expect(options).toMatchObject({
      serviceUrl: 'http://127.0.0.1:8787',
      publicServiceUrl: 'http://127.0.0.1:8787',
      timeoutMs: 300,
      retryLimit: 1,
      breakerFailures: 5,
    });
  });

  const bad: Array<[string, unknown]> = [
    ['no serviceUrl', { apiKey: good.apiKey }],
    ['a relative serviceUrl', { ...good, serviceUrl: '/svc' }],
    ['an ftp serviceUrl', { ...good, serviceUrl: 'ftp://x' }],
    ['a serviceUrl with credentials', { ...good, serviceUrl: 'http://u:p@x' }],
    ['a serviceUrl with a query', { ...good, serviceUrl: 'http://x/?a=1' }],
    ['no apiKey', { serviceUrl: good.serviceUrl }],
    ['an apiKey with a space', { ...good, apiKey: 'sk test 0123' }],
    ['a negative timeout', { ...good, timeoutMs: -1 }],
    ['a fractional timeout', { ...good, timeoutMs: 1.5 }],
    ['a string timeout', { ...good, timeoutMs: '300' }],
    ['a retry limit of 10', { ...good, retry: 10 }],
    ['zero breaker failures', { ...good, breaker: { failures: 0 } }],
    ['an unknown option (typo)', { ...good, timeout: 300 }],
    ['a fetch that is not a function', { ...good, fetch: 'fetch' }],
  ];
  for (const [name, options] of bad) {
    it(`rejects ${name} at creation with invalid_options`, () => {
      let error: unknown;
      try {
        createStepgate(options as StepgateOptions);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(StepgateClientError);
      expect((error as StepgateClientError).code).toBe('invalid_options');
    });
  }

  it('never exposes the API key on the client object', () => {
    const stepgate = createStepgate(good);
    expect(JSON.stringify(stepgate)).not.toContain(good.apiKey);
    expect(Object.values(stepgate).some((v) => typeof v === 'string')).toBe(false);
  });
});
