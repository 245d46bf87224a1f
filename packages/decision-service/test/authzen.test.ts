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
});
