import { HttpResponse, http } from 'msw';
import type { SetupServer } from 'msw/node';
import { expect, it } from 'vitest';
import { API_KEY, SERVICE } from '../support/fixtures.js';
import { rawRequest } from '../support/raw-request.js';
import type { HarnessApp, HarnessOptions } from './harness.js';

/** The challenge-proxy half of the contract. */
export function proxyContract(
  getStart: () => (options?: HarnessOptions) => Promise<HarnessApp>,
  server: SetupServer,
): void {
  function upstream() {
    const seen: Array<{ method: string; path: string; headers: Headers; body: string }> = [];
    const record = async ({ request }: { request: Request }) => {
      seen.push({
        method: request.method,
        path: new URL(request.url).pathname,
        headers: request.headers,
        body: await request.text(),
      });
      return HttpResponse.json(
        { id: 'chl_1', status: 'pending' },
        { headers: { 'set-cookie': 'svc=1', 'x-internal': 'yes' } },
      );
    };
    server.use(http.get(`${SERVICE}/*`, record), http.post(`${SERVICE}/*`, record));
    return seen;
  }

  it('proxy: forwards GET /stepgate/v1/challenges/{id} with the API key and client IP, and strips browser credentials', async () => {
    const seen = upstream();
    const a = await getStart()({ trustProxy: 'loopback' });
    const res = await rawRequest(a.url, '/stepgate/v1/challenges/chl_1', {
      headers: { authorization: 'Bearer browser', cookie: 'session=1', 'x-forwarded-for': '203.0.113.7' },
    });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ id: 'chl_1', status: 'pending' });
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['x-internal']).toBeUndefined();
    expect(res.text).not.toContain(API_KEY);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.path).toBe('/v1/challenges/chl_1');
    expect(seen[0]?.headers.get('authorization')).toBe(`Bearer ${API_KEY}`);
    expect(seen[0]?.headers.get('stepgate-client-ip')).toBe('203.0.113.7');
    // (msw keeps a cookie jar of its own mocked Set-Cookie answers; the browser's cookie must not arrive)
    expect(seen[0]?.headers.get('cookie') ?? '').not.toContain('session=1');
    expect(seen[0]?.headers.get('x-forwarded-for')).toBeNull();
  });

  it('proxy: forwards a POST body exactly, and passes a service error through unchanged', async () => {
    const seen = upstream();
    const a = await getStart()();
    const body = JSON.stringify({ method: 'email_otp', code: '123456' });
    await rawRequest(a.url, '/stepgate/v1/challenges/chl_1/verify', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(seen[0]).toMatchObject({ method: 'POST', path: '/v1/challenges/chl_1/verify', body });
    expect(seen[0]?.headers.get('stepgate-client-ip')).toBe('127.0.0.1');
    server.use(
      http.post(`${SERVICE}/v1/enrollments/enr_1/totp`, () =>
        HttpResponse.json({ error: { code: 'not_found', message: 'gone' } }, { status: 404 }),
      ),
    );
    const res = await rawRequest(a.url, '/stepgate/v1/enrollments/enr_1/totp', { method: 'POST' });
    expect([res.status, res.json()]).toEqual([404, { error: { code: 'not_found', message: 'gone' } }]);
  });

  const refused: Array<[string, string, string, number]> = [
    ['the decision endpoint', 'POST', '/stepgate/v1/decisions', 404],
    ['ticket creation (needs the API key)', 'POST', '/stepgate/v1/enrollments', 404],
    ['a user route', 'GET', '/stepgate/v1/users/u_1/factors', 404],
    ['a dot-dot path', 'GET', '/stepgate/v1/challenges/chl_1/../../decisions', 404],
    ['an encoded slash', 'GET', '/stepgate/v1/challenges/chl_1%2F..%2F..%2Fdecisions', 404],
    ['an encoded dot-dot', 'GET', '/stepgate/v1/challenges/%2e%2e/x', 404],
    ['the dev outbox', 'GET', '/stepgate/v1/dev/outbox', 404],
    ['a PUT', 'PUT', '/stepgate/v1/challenges/chl_1', 405],
  ];
  for (const [name, method, path, status] of refused) {
    it(`proxy: refuses ${name} (${status}) without calling the service`, async () => {
      const seen = upstream();
      const a = await getStart()();
      const res = await rawRequest(a.url, path, { method });
      expect(res.status).toBe(status);
      expect(seen).toHaveLength(0);
    });
  }

  it('proxy: refuses a body over the limit (413) and a non-JSON body (415)', async () => {
    const seen = upstream();
    const a = await getStart()({ proxy: { bodyLimitBytes: 100 } });
    const big = await rawRequest(a.url, '/stepgate/v1/challenges/chl_1/verify', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'x'.repeat(200) }),
    });
    const form = await rawRequest(a.url, '/stepgate/v1/challenges/chl_1/verify', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'code=1',
    });
    expect([big.status, form.status, seen.length]).toEqual([413, 415, 0]);
  });

  it('proxy: answers 503 when the service cannot be reached', async () => {
    server.use(http.get(`${SERVICE}/*`, () => HttpResponse.error()));
    const a = await getStart()();
    const res = await rawRequest(a.url, '/stepgate/v1/challenges/chl_1');
    expect(res.status).toBe(503);
    expect(res.json()).toMatchObject({ error: { code: 'service_unavailable' } });
  });
}
