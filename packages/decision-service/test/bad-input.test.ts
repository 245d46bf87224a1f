import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../src/index.js';
import { client, start } from './helpers.js';

const deep = (n: number): unknown => (n === 0 ? 1 : { a: deep(n - 1) });

describe('S30 (part 1): hostile bodies get a 4xx or a verdict, never a 5xx', () => {
  let svc: RunningService;
  let call: ReturnType<typeof client>;
  beforeAll(async () => {
    svc = await start();
    call = client(svc);
    await call('PUT', '/v1/users/u1', { phone: '+33612345678' });
  });
  afterAll(() => svc.close());

  const transfer = (transaction: unknown, extra: object = {}) => ({
    subject: { id: 'u1' },
    action: { name: 'payments.transfer' },
    transaction,
    ...extra,
  });

  const cases: Array<[string, unknown, Record<string, string>?]> = [
    ['deeply nested transaction (step_up path computes a digest)', transfer({ amount: 5000, x: deep(300) })],
    [
      '__proto__ and constructor keys',
      JSON.parse(
        '{"subject":{"id":"u1"},"action":{"name":"payments.transfer"},"transaction":{"amount":5000,"__proto__":{"polluted":true},"constructor":{"prototype":1}}}',
      ),
    ],
    [
      'a lone surrogate in the transaction',
      JSON.parse(
        '{"subject":{"id":"u1"},"action":{"name":"payments.transfer"},"transaction":{"amount":5000,"payee":"\\ud800"}}',
      ),
    ],
    ['a non-finite-looking amount', transfer({ amount: 1e308 * 10 })],
    ['an array where an object belongs', { subject: [], action: { name: 'x' } }],
    ['a null body', null],
    ['a string body', 'hello'],
    [
      'a huge number of keys',
      transfer(Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, i]))),
    ],
    ['a token that is only dots', transfer({ amount: 5000 }, { stepUpToken: '..' })],
    ['a token with a JSON array header', transfer({ amount: 5000 }, { stepUpToken: 'W10.e30.AAAA' })],
    [
      'an idempotent hostile body',
      transfer({ amount: 5000, x: deep(300) }),
      { 'idempotency-key': 'hostile-1' },
    ],
  ];

  for (const [name, body, headers] of cases) {
    it(name, async () => {
      const res = await call('POST', '/v1/decisions', JSON.stringify(body), headers ?? {});
      expect(res.status).toBeLessThan(500);
      if (res.status >= 400) expect(typeof res.body.error.code).toBe('string');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }

  it('still answers afterwards', async () => {
    const res = await call('GET', '/healthz');
    expect(res.status).toBe(200);
  });
});
