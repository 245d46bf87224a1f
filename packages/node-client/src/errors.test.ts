import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLIENT_ERROR_CODES, isStepgateClientError, StepgateClientError } from './errors.js';

describe('error codes', () => {
  it('the README error table lists exactly the codes of CLIENT_ERROR_CODES', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.split('## Errors')[1]?.split('\n## ')[0] ?? '';
    const documented = [...section.matchAll(/^\| `([a-z_]+)`\s*\|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(CLIENT_ERROR_CODES).sort());
  });

  it('keeps code, status, service code and cause', () => {
    const cause = new Error('socket hang up');
    const error = new StepgateClientError('service_rejected', 'no', {
      cause,
      status: 404,
      serviceCode: 'not_found',
    });
    expect([error.code, error.status, error.serviceCode, error.cause, error.name]).toEqual([
      'service_rejected',
      404,
      'not_found',
      cause,
      'StepgateClientError',
    ]);
    expect(isStepgateClientError(error, 'service_rejected')).toBe(true);
    expect(isStepgateClientError(error, 'decision_unavailable')).toBe(false);
    expect(isStepgateClientError(new Error('x'))).toBe(false);
  });
});
