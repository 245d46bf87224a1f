import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, isErrorCode, StepgateError, statusForErrorCode } from './errors.js';

/** The rows of the first markdown table in docs/errors.md: code → status. */
function readErrorTable(): Map<string, number> {
  const text = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
  const rows = new Map<string, number>();
  const lines = text.split('\n').filter((line) => line.trimStart().startsWith('|'));
  const [header, separator, ...body] = lines;
  expect(header?.split('|').map((c) => c.trim())).toEqual(['', 'Code', 'Status', 'Meaning', '']);
  expect(separator).toMatch(/^\|[-| :]+\|$/);
  for (const line of body) {
    const [, code, status, meaning] = line.split('|').map((cell) => cell.trim());
    const match = /^`([a-z_]+)`$/.exec(code ?? '');
    expect(match, `code cell of: ${line}`).not.toBeNull();
    expect(meaning, `meaning of ${code}`).not.toBe('');
    expect(rows.has(match![1]!), `duplicate row ${code}`).toBe(false);
    rows.set(match![1]!, Number(status));
  }
  return rows;
}

describe('error codes', () => {
  it('docs/errors.md documents every code in ERROR_CODES, with its status', () => {
    const table = readErrorTable();
    for (const [code, status] of Object.entries(ERROR_CODES)) {
      expect(table.get(code), `${code} in docs/errors.md`).toBe(status);
    }
  });

  it('docs/errors.md documents no code that ERROR_CODES lacks', () => {
    for (const code of readErrorTable().keys()) expect(isErrorCode(code), code).toBe(true);
  });

  it('includes the codes the issue requires', () => {
    for (const code of [
      'insufficient_user_authentication',
      'access_denied',
      'decision_unavailable',
      'challenge_failed',
      'invalid_request',
      'unauthorized',
      'not_found',
      'rate_limited',
    ]) {
      expect(isErrorCode(code), code).toBe(true);
    }
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode(42)).toBe(false);
  });

  it('StepgateError carries code, status, details and cause, and renders the error body', () => {
    const cause = new Error('root');
    const error = new StepgateError('rate_limited', 'Slow down', { cause, details: { retryAfter: 3 } });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('StepgateError');
    expect(error.status).toBe(429);
    expect(statusForErrorCode('not_found')).toBe(404);
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({ retryAfter: 3 });
    expect(error.toBody()).toEqual({ error: { code: 'rate_limited', message: 'Slow down', retryAfter: 3 } });
    const failed = new StepgateError('challenge_failed', 'No', {
      details: { attemptsLeft: 2, secret: 'x', path: 7 },
    });
    expect(failed.toBody()).toEqual({ error: { code: 'challenge_failed', message: 'No', attemptsLeft: 2 } });
  });
});
