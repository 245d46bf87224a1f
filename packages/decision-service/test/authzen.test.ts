import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../src/index.js';
import { client, start } from './helpers.js';

// AuthZEN Authorization API 1.0 §6.1 "Example Request", verbatim.
const SPEC_REQUEST = {
  subject: { type: 'user', id: 'alice@acmecorp.com' },
  resource: { type: 'account', id: '123' },
  action: { name: 'can_read', properties: { method: 'GET' } },
  context: { time: '1985-10-26T01:22-07:00' },
};

describe('POST /access/v1/evaluation (OpenID AuthZEN Authorization API 1.0)', () => {
  let svc: RunningService;
  let call: ReturnType<typeof client>;
  beforeAll(async () => {
    svc = await start();
    call = client(svc);
    await call('PUT', '/v1/users/carol', { phone: '+33612345670' });
  });
  afterAll(() => svc.close());

  it('answers the spec’s example request with 200 { decision: true, context } and echoes X-Request-ID', async () => {
    const res = await call('POST', '/access/v1/evaluation', SPEC_REQUEST, {
      'x-request-id': 'bfe9eb29-ab87-4ca3-be83-a1d5d8305716',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('bfe9eb29-ab87-4ca3-be83-a1d5d8305716');
    expect(res.body).toMatchObject({ decision: true, context: { decision: 'allow' } });
    expect(res.body.context.id).toMatch(/^dec_/);
  });

  it('a deny is 200 { decision: false } with reasons (§12.1.11: decisions are never HTTP errors)', async () => {
    const res = await call('POST', '/access/v1/evaluation', {
      subject: { type: 'user', id: 'carol' },
      action: { name: 'account.delete' },
      resource: { type: 'account', id: 'carol' },
    });
    expect(res.status).toBe(200);
    expect(res.body.decision).toBe(false);
    expect(res.body.context.decision).toBe('deny');
    expect(res.body.context.reason_admin.en).toContain('account-delete');
    expect(res.body.context.reason_user).toBeDefined();
  });

  it('a step-up is { decision: false } with the requirement and the challenge in context.step_up', async () => {
    const res = await call('POST', '/access/v1/evaluation', {
      subject: { type: 'user', id: 'carol', properties: { session_id: 's9', acr: 'aal1' } },
      action: { name: 'payments.transfer', properties: { transaction: { amount: 9000, payee: 'X' } } },
      resource: { type: 'account', id: 'acc-9' },
    });
    expect(res.status).toBe(200);
    expect(res.body.decision).toBe(false);
    expect(res.body.context.step_up).toMatchObject({
      acr: 'urn:stepgate:aal2',
      acr_values: ['urn:stepgate:aal2'],
      max_age: 0,
      bind_transaction: true,
      methods: ['sms_otp'],
    });
    expect(res.body.context.step_up.challenge_id).toMatch(/^chl_/);
    expect(res.body.context.step_up.www_authenticate).toContain('insufficient_user_authentication');
  });

  it('errors: 401 without a key, 400 for a missing resource, an unknown member or a wrongly typed property', async () => {
    const anon = await fetch(`${svc.url}/access/v1/evaluation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'r-401' },
      body: JSON.stringify(SPEC_REQUEST),
    });
    expect(anon.status).toBe(401);
    expect(anon.headers.get('x-request-id')).toBe('r-401');
    const { resource: _r, ...noResource } = SPEC_REQUEST;
    expect((await call('POST', '/access/v1/evaluation', noResource)).status).toBe(400);
    const extra = await call('POST', '/access/v1/evaluation', { ...SPEC_REQUEST, evaluations: [] });
    expect(extra.status).toBe(400);
    expect(extra.body.error.code).toBe('invalid_request');
    const typed = await call('POST', '/access/v1/evaluation', {
      ...SPEC_REQUEST,
      subject: { type: 'user', id: 'u', properties: { auth_time: 'yesterday' } },
    });
    expect(typed.status).toBe(400);
  });
  it('POST /access/v1/evaluations: the spec’s default-values example answers three decisions in order', async () => {
    // AuthZEN 1.0 "Default values" example: one subject and context, `action` overridden by the third.
    const res = await call(
      'POST',
      '/access/v1/evaluations',
      {
        subject: { type: 'user', id: 'alice@acmecorp.com' },
        context: { time: '2024-05-31T15:22-07:00' },
        action: { name: 'can_read' },
        evaluations: [
          { resource: { type: 'document', id: 'boxcarring.md' } },
          { resource: { type: 'document', id: 'subject-search.md' } },
          { action: { name: 'account.delete' }, resource: { type: 'document', id: 'resource-search.md' } },
        ],
      },
      { 'x-request-id': 'batch-1' },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('batch-1');
    expect(res.body.evaluations.map((e: { decision: boolean }) => e.decision)).toEqual([true, true, false]);
    expect(res.body.evaluations[2].context.decision).toBe('deny');
  });

  it('evaluations semantics: deny_on_first_deny and permit_on_first_permit stop early; a bad item is a closed decision', async () => {
    const evaluations = [
      { action: { name: 'reports.view' } },
      { action: { name: 'account.delete' } },
      { action: { name: 'reports.view' } },
    ];
    const base = { subject: { type: 'user', id: 'carol' }, resource: { type: 'x', id: '1' }, evaluations };
    const deny = await call('POST', '/access/v1/evaluations', {
      ...base,
      options: { evaluations_semantic: 'deny_on_first_deny' },
    });
    expect(deny.body.evaluations.map((e: { decision: boolean }) => e.decision)).toEqual([true, false]);
    const permit = await call('POST', '/access/v1/evaluations', {
      ...base,
      options: { evaluations_semantic: 'permit_on_first_permit' },
    });
    expect(permit.body.evaluations).toHaveLength(1);
    const bad = await call('POST', '/access/v1/evaluations', {
      evaluations: [
        { subject: { type: 'user', id: 'carol' }, action: { name: 'reports.view' } },
        {
          subject: { type: 'user', id: 'carol', properties: { auth_time: 'soon' } },
          action: { name: 'reports.view' },
          resource: { type: 'x', id: '1' },
        },
      ],
    });
    expect(bad.status).toBe(200);
    expect(bad.body.evaluations.map((e: { decision: boolean }) => e.decision)).toEqual([false, false]);
    expect(bad.body.evaluations[0].context.error.status).toBe(400);
    expect((await call('POST', '/access/v1/evaluations', { evaluations: [] })).status).toBe(400);
    expect(
      (await call('POST', '/access/v1/evaluations', { ...base, options: { evaluations_semantic: 'maybe' } }))
        .status,
    ).toBe(400);
  });

  it('context.ip must be an IP address on the AuthZEN routes too (one validator with formats)', async () => {
    const single = await call('POST', '/access/v1/evaluation', {
      ...SPEC_REQUEST,
      context: { ip: 'not-an-ip' },
    });
    expect(single.status).toBe(400);
    expect(single.body.error.code).toBe('invalid_request');
    expect(single.body.error.message).toContain('/context/ip');
    const batch = await call('POST', '/access/v1/evaluations', {
      subject: { type: 'user', id: 'carol', properties: { ip_address: '999.1.1.1' } },
      resource: { type: 'x', id: '1' },
      evaluations: [{ action: { name: 'reports.view' } }],
    });
    expect(batch.status).toBe(200);
    expect(batch.body.evaluations[0].decision).toBe(false);
    expect(batch.body.evaluations[0].context.error.status).toBe(400);
    const good = await call('POST', '/access/v1/evaluation', {
      ...SPEC_REQUEST,
      context: { ip: '2001:db8::1' },
    });
    expect(good.status).toBe(200);
  });
});
