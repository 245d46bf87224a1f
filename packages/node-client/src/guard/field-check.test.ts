import type { DecisionRequest, PolicyFieldsAnswer } from '@stepgate/protocol';
import { describe, expect, it } from 'vitest';
import { firstMismatch, mismatchMessage, PolicyFieldTypes } from './field-check.js';

const types = (version: string, amount: 'number' | 'string' = 'number'): PolicyFieldsAnswer => ({
  policyVersion: version,
  fields: {
    'transaction.amount': { type: amount, policies: ['fresh-check'] },
    'transaction.payee.country': { type: 'string', policies: ['sanctions'] },
    'transaction.tags': { type: 'string[]', policies: [] },
    'context.ip': { type: 'ip', policies: ['tor'] },
    'transaction.note': { type: 'string', policies: ['watch'], reportOnly: true },
  },
});
const request = (transaction: Record<string, unknown>, ip = '198.51.100.7'): DecisionRequest => ({
  subject: { id: 'u1' },
  action: { name: 'payments.transfer' },
  transaction,
  context: { ip },
});

describe("firstMismatch (the guard's own check, issue 22)", () => {
  it('finds a present field of another type, as the service would word it', () => {
    const d = firstMismatch(request({ amount: Number('900 EUR') }), types('v1'));
    expect(d).toEqual({
      field: 'transaction.amount',
      policyId: 'fresh-check',
      expected: 'number',
      actual: 'non-finite number',
      policyVersion: 'v1',
    });
    expect(mismatchMessage(d!)).toBe(
      'transaction.amount must be a number (compared by policy fresh-check); the request has non-finite number',
    );
    expect(firstMismatch(request({ payee: 'ACME' }), types('v1'))?.actual).toBe(
      'string at transaction.payee',
    );
    expect(firstMismatch(request({ tags: ['a', 1] }), types('v1'))?.field).toBe('transaction.tags');
    expect(firstMismatch(request({}, 'nope'), types('v1'))?.actual).toBe('string that is not an IP address');
    expect(mismatchMessage(firstMismatch(request({ tags: 'a' }), types('v1'))!)).toContain(
      'declared in fields',
    );
  });

  it('leaves missing fields to onMissing and report-only fields to the service', () => {
    expect(firstMismatch(request({}), types('v1'))).toBeUndefined();
    expect(
      firstMismatch(request({ amount: 5, note: 7, payee: { country: 'FR' } }), types('v1')),
    ).toBeUndefined();
  });
});

describe('PolicyFieldTypes', () => {
  function cache(answers: Array<PolicyFieldsAnswer | Error>) {
    let t = 1_000_000;
    const fetched: string[] = [];
    const c = new PolicyFieldTypes(
      async () => {
        const next = answers.shift() ?? new Error('no more');
        if (next instanceof Error) throw next;
        fetched.push(next.policyVersion);
        return next;
      },
      () => t,
    );
    return { c, fetched, advance: (ms: number) => (t += ms) };
  }

  it('fetches on first use, and again when a decision carries another version', async () => {
    const { c, fetched } = cache([types('v1'), types('v2')]);
    expect(await c.check(request({ amount: 5 }))).toBeUndefined();
    expect(await c.check(request({ amount: 6 }))).toBeUndefined();
    c.seen('v1');
    expect(fetched).toEqual(['v1']);
    c.seen('v2');
    await c.refresh();
    expect(fetched).toEqual(['v1', 'v2']);
  });

  it('a mismatch against types a few seconds old refreshes them first: a policy change never refuses what the service accepts', async () => {
    const { c, fetched, advance } = cache([types('v1', 'number'), types('v2', 'string')]);
    expect((await c.check(request({ amount: 'a' })))?.expected).toBe('number');
    advance(6_000);
    expect(await c.check(request({ amount: 'a' }))).toBeUndefined();
    expect(fetched).toEqual(['v1', 'v2']);
  });

  it('checks nothing while the types cannot be read, and tries again later', async () => {
    const { c, advance } = cache([new Error('404'), types('v1')]);
    expect(await c.check(request({ amount: 'a' }))).toBeUndefined();
    expect(await c.check(request({ amount: 'a' }))).toBeUndefined();
    advance(31_000);
    expect((await c.check(request({ amount: 'a' })))?.field).toBe('transaction.amount');
  });
});
