import { policyFieldsSchema } from '@stepgate/protocol';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../src/index.js';
import { client, start, testClock } from './helpers.js';

/** Issue 22's document: a transfer above 500 steps up; `default: allow`. */
const POLICY = `
fields:
  transaction.reference: string
policies:
  - id: fresh-check-for-transfers
    when: { action: payments.transfer, transaction.amount: { gt: 500 } }
    require: { level: aal1, maxAge: 0, bindTransaction: true }
  - id: watch-owner
    mode: report-only
    when: { resource.attributes.owner: { glob: "u-*" } }
    effect: deny
default: allow
`;

const transfer = (amount: unknown, action = 'payments.transfer') => ({
  subject: { id: 'alice', sessionId: 's1' },
  action: { name: action },
  transaction: amount === undefined ? { payee: 'Bob' } : { amount, payee: 'Bob' },
});

describe('typed request fields in the decision service (issue 22)', () => {
  const clock = testClock();
  let svc: RunningService;
  let call: ReturnType<typeof client>;
  let admin: ReturnType<typeof client>;
  beforeAll(async () => {
    svc = await start({ clock, policies: POLICY });
    call = client(svc);
    admin = client({ url: svc.url, apiKey: svc.adminKey });
    await call('PUT', '/v1/users/alice', { email: 'alice@example.com' });
  });
  afterAll(() => svc.close());

  it.each([
    ['"900 EUR"', '900 EUR', 'string'],
    ['null (what JSON makes of NaN)', null, 'null'],
    ['[]', [], 'array'],
    ['{}', {}, 'object'],
    ['"1e9"', '1e9', 'string'],
  ])(
    'S30: amount %s is 400 invalid_request naming the field and the policy, never a 200',
    async (_, amount, actual) => {
      const res = await call('POST', '/v1/decisions', transfer(amount));
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: {
          code: 'invalid_request',
          message:
            'transaction.amount must be a number (compared by policy fresh-check-for-transfers); the request has ' +
            actual,
          path: '/body/transaction/amount',
          details: {
            field: 'transaction.amount',
            policyId: 'fresh-check-for-transfers',
            expected: 'number',
            actual,
            policyVersion: svc.policyVersion(),
          },
        },
      });
    },
  );

  it('checks every request, whatever the action; a declared field names no policy', async () => {
    expect((await call('POST', '/v1/decisions', transfer('900 EUR', 'account.read'))).status).toBe(400);
    const declared = await call('POST', '/v1/decisions', {
      ...transfer(20),
      transaction: { amount: 20, reference: 42 },
    });
    expect(declared.status).toBe(400);
    expect(declared.body.error.details).toEqual({
      field: 'transaction.reference',
      expected: 'string',
      actual: 'number',
      policyVersion: svc.policyVersion(),
    });
  });

  it('a missing amount on a transfer steps up and says why; on another action it runs', async () => {
    const res = await call('POST', '/v1/decisions', transfer(undefined));
    expect(res.status).toBe(200);
    expect(res.body.decision).toBe('step_up');
    expect(res.body.reasons).toContainEqual({
      policyId: 'fresh-check-for-transfers',
      code: 'field_missing',
      detail: 'transaction.amount is missing from the request; onMissing is step_up',
      values: { missing: ['transaction.amount'], onMissing: 'step_up' },
    });
    expect((await call('POST', '/v1/decisions', transfer(undefined, 'account.read'))).body.decision).toBe(
      'allow',
    );
  });

  it('a field only a report-only policy reads is reported, not refused', async () => {
    const res = await call('POST', '/v1/decisions', {
      ...transfer(20),
      resource: { type: 'account', attributes: { owner: 7 } },
    });
    expect(res.status).toBe(200);
    expect(res.body.decision).toBe('allow');
    expect(res.body.reportOnly).toEqual([
      expect.objectContaining({
        policyId: 'watch-owner',
        decision: 'deny',
        reasons: [expect.objectContaining({ code: 'invalid_field' })],
      }),
    ]);
  });

  it('S27: an invalid request is audited as a decision with the outcome invalid_request', async () => {
    const res = await call('POST', '/v1/decisions', {
      ...transfer('900 EUR'),
      subject: { id: 'audited-user', sessionId: 's9' },
    });
    expect(res.status).toBe(400);
    const page = await admin('GET', '/v1/audit?user=audited-user&decision=invalid_request');
    expect(page.status).toBe(200);
    expect(page.body.records).toHaveLength(1);
    expect(page.body.records[0].event).toMatchObject({
      type: 'decision',
      outcome: 'invalid_request',
      who: { userId: 'audited-user', sessionId: 's9' },
      what: { action: 'payments.transfer' },
      reasons: [
        {
          policyId: 'fresh-check-for-transfers',
          code: 'invalid_field',
          values: { field: 'transaction.amount', expected: 'number', actual: 'string' },
        },
      ],
      policyVersion: svc.policyVersion(),
    });
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(metrics).toMatch(/stepgate_decisions_total\{decision="invalid_request"\} [1-9]/);
  });

  it('an Idempotency-Key retry of an invalid request gets the same 400', async () => {
    const headers = { 'idempotency-key': 'invalid-amount-1' };
    const first = await call('POST', '/v1/decisions', transfer('900 EUR'), headers);
    const again = await call('POST', '/v1/decisions', transfer('900 EUR'), headers);
    expect(first.status).toBe(400);
    expect(again.status).toBe(400);
    expect(again.body).toEqual(first.body);
  });

  it('AuthZEN: one evaluation is a 400; in a batch only that evaluation fails', async () => {
    const authzen = (amount: unknown) => ({
      subject: { type: 'user', id: 'alice' },
      action: { name: 'payments.transfer' },
      resource: { type: 'account', id: 'a1' },
      context: { transaction: { amount } },
    });
    const one = await call('POST', '/access/v1/evaluation', authzen('900 EUR'));
    expect(one.status).toBe(400);
    expect(one.body.error.details.field).toBe('transaction.amount');
    const batch = await call('POST', '/access/v1/evaluations', {
      evaluations: [authzen('900 EUR'), authzen(20)],
    });
    expect(batch.status).toBe(200);
    expect(batch.body.evaluations[0]).toMatchObject({
      decision: false,
      context: { error: { status: 400, message: expect.stringContaining('transaction.amount') } },
    });
    expect(batch.body.evaluations[1].decision).toBe(true);
  });

  it('GET /v1/policies/fields publishes the field types with the policy version, to any API key', async () => {
    const res = await call('GET', '/v1/policies/fields');
    expect(res.status).toBe(200);
    expect(new Ajv().compile(policyFieldsSchema)(res.body)).toBe(true);
    expect(res.body).toEqual({
      policyVersion: svc.policyVersion(),
      fields: {
        'transaction.reference': { type: 'string', policies: [] },
        'transaction.amount': { type: 'number', policies: ['fresh-check-for-transfers'] },
        'resource.attributes.owner': { type: 'string', policies: ['watch-owner'], reportOnly: true },
      },
    });
    expect((await admin('GET', '/v1/policies/fields')).status).toBe(200);
    expect((await fetch(`${svc.url}/v1/policies/fields`)).status).toBe(401);
    const openapi = (await (await fetch(`${svc.url}/openapi.json`)).json()) as {
      paths: Record<string, object>;
    };
    expect(openapi.paths['/v1/policies/fields']).toHaveProperty('get');
  });
});
