import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../src/index.js';
import { client, start } from './helpers.js';

const DECISION = { subject: { id: 'u1' }, action: { name: 'payments.list' } };

describe('HTTP errors: the protocol shape, never a 5xx on user input', () => {
  let svc: RunningService;
  let call: ReturnType<typeof client>;
  beforeAll(async () => {
    svc = await start({ config: { server: { bodyLimit: 4096 } } });
    call = client(svc);
  });
  afterAll(() => svc.close());

  // biome-ignore lint/suspicious/noExplicitAny: answers are JSON checked by each assertion
  const raw = (path: string, init: RequestInit): Promise<{ status: number; headers: Headers; body: any }> =>
    fetch(`${svc.url}${path}`, init).then(async (r) => ({
      status: r.status,
      headers: r.headers,
      body: await r.json(),
    }));

  it('401 unauthorized without an API key, with a malformed one and with a wrong one', async () => {
    for (const authorization of [undefined, 'Basic abc', 'Bearer sgk_wrong', 'Bearer ']) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (authorization !== undefined) headers.authorization = authorization;
      const res = await raw('/v1/decisions', { method: 'POST', headers, body: JSON.stringify(DECISION) });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it('400 invalid_request for a schema violation, with the path', async () => {
    const res = await call('POST', '/v1/decisions', { subject: { id: 42 }, action: { name: 'x' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_request', path: '/body/subject/id' });
    const extra = await call('POST', '/v1/decisions', { ...DECISION, surprise: true });
    expect(extra.status).toBe(400);
    expect(extra.body.error.message).toContain('surprise');
    const missing = await call('POST', '/v1/decisions', {});
    expect(missing.body.error.code).toBe('invalid_request');
  });

  it('400 invalid_request for malformed JSON and an empty JSON body', async () => {
    const bad = await call('POST', '/v1/decisions', '{"subject":');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    const empty = await raw('/v1/decisions', {
      method: 'POST',
      headers: { authorization: `Bearer ${svc.apiKey}`, 'content-type': 'application/json' },
    });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('invalid_request');
  });

  it('413 payload_too_large above the body limit', async () => {
    const res = await call('POST', '/v1/decisions', { ...DECISION, transaction: { blob: 'x'.repeat(5000) } });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('415 unsupported_media_type for a body that is not JSON', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await call('POST', '/v1/decisions', JSON.stringify(DECISION), { 'content-type': type });
      expect(res.status).toBe(415);
      expect(res.body.error.code).toBe('unsupported_media_type');
    }
  });

  it('404 not_found and 405 method_not_allowed with Allow', async () => {
    const missing = await call('GET', '/v1/nothing');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    const wrong = await call('GET', '/v1/decisions');
    expect(wrong.status).toBe(405);
    expect(wrong.body.error.code).toBe('method_not_allowed');
    expect(wrong.headers.get('allow')).toBe('POST');
    const patch = await call('PATCH', '/v1/users/u1');
    expect(patch.status).toBe(405);
    expect(patch.headers.get('allow')?.split(', ').sort()).toEqual(['DELETE', 'PUT']);
  });

  it('400 for a malformed Stepgate-Client-IP or Idempotency-Key', async () => {
    const ip = await call('POST', '/v1/decisions', DECISION, { 'stepgate-client-ip': 'not-an-ip' });
    expect(ip.status).toBe(400);
    expect(ip.body.error.code).toBe('invalid_request');
    const key = await call('POST', '/v1/decisions', DECISION, { 'idempotency-key': 'has space' });
    expect(key.status).toBe(400);
  });

  it('feedback: 204 for a decision, 404 for an unknown one, 400 for a bad label', async () => {
    const decided = await call('POST', '/v1/decisions', DECISION);
    const ok = await call('POST', `/v1/decisions/${decided.body.decisionId}/feedback`, {
      label: 'fraud',
      note: 'chargeback',
    });
    expect(ok.status).toBe(204);
    const unknown = await call('POST', '/v1/decisions/dec_unknown/feedback', { label: 'legit' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    const bad = await call('POST', `/v1/decisions/${decided.body.decisionId}/feedback`, { label: 'maybe' });
    expect(bad.status).toBe(400);
    const badId = await call('POST', '/v1/decisions/nope/feedback', { label: 'legit' });
    expect(badId.status).toBe(400);
  });

  it('PUT /v1/users/{id}: sets first contact points plainly; clearing one is a factor change (S31); validates them', async () => {
    const set = await call('PUT', '/v1/users/u9', {
      displayName: 'Ann',
      email: 'ann@example.com',
      phone: '+33612345678',
    });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({
      id: 'u9',
      displayName: 'Ann',
      email: 'ann@example.com',
      phone: '+33612345678',
    });
    // Ann has factors now (her email and phone): removing one needs a step-up first, or an admin key.
    const gated = await call('PUT', '/v1/users/u9', { phone: null });
    expect(gated.body).toMatchObject({ decision: 'step_up', requirement: { level: 'aal2' } });
    const admin = client({ url: svc.url, apiKey: svc.adminKey });
    const cleared = await admin('PUT', '/v1/users/u9', { phone: null });
    expect(cleared.body).toEqual({ id: 'u9', displayName: 'Ann', email: 'ann@example.com' });
    const bad = await call('PUT', '/v1/users/u9', { phone: '0612' });
    expect(bad.status).toBe(400);
  });

  it('health, readiness, JWKS and OpenAPI need no key', async () => {
    const health = await raw('/healthz', {});
    expect(health.body).toMatchObject({ status: 'ok' });
    const ready = await raw('/readyz', {});
    expect(ready.body).toMatchObject({ status: 'ok', policyVersion: svc.policyVersion() });
    const jwks = await raw('/.well-known/jwks.json', {});
    expect(jwks.body.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwks.body.keys[0].d).toBeUndefined();
    const openapi = await raw('/openapi.json', {});
    expect(openapi.body.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/decisions',
        '/v1/decisions/{id}/feedback',
        '/v1/users/{id}',
        '/.well-known/jwks.json',
      ]),
    );
    const op = openapi.body.paths['/v1/decisions'].post;
    expect(op.requestBody.content['application/json'].schema.required).toEqual(['subject', 'action']);
    expect(op.parameters.map((p: { name: string }) => p.name)).toContain('idempotency-key');
    expect(Object.keys(op.responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '409', '413', '415']),
    );
    expect(openapi.body.paths['/healthz'].get.responses['401']).toBeUndefined();
  });
});
