import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDemo } from './harness.js';
import { apiClient } from './http.js';

let demo: Awaited<ReturnType<typeof startTestDemo>>;
beforeAll(async () => {
  demo = await startTestDemo();
});
afterAll(() => demo?.stop());

describe('Acme Bank API (no browser)', () => {
  it('answers 401 unauthorized without a session, without asking the service', async () => {
    const res = await fetch(`${demo.url.replace('localhost', '127.0.0.1')}/api/balance`);
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('unauthorized');
  });

  it('rejects a malformed transfer with 400 before any decision', async () => {
    const api = await apiClient(demo.url, 'bob');
    for (const body of [
      { amount: '900', payee: 'x' },
      { amount: -1, payee: 'x' },
      { amount: 10, payee: '' },
      {},
    ]) {
      expect((await api('POST', '/api/transfers', body)).status).toBe(400);
    }
  });

  it('allows the balance and a small transfer', async () => {
    const api = await apiClient(demo.url, 'bob');
    const before = await api('GET', '/api/balance');
    expect(before.status).toBe(200);
    const sent = await api('POST', '/api/transfers', { amount: 50, payee: 'Boulangerie' });
    expect(sent.status).toBe(200);
    expect(sent.body.balance).toBe(before.body.balance - 50);
  });

  it("answers a medium transfer with an RFC 9470 step-up through the bank's challenge proxy", async () => {
    const api = await apiClient(demo.url, 'bob');
    const res = await api('POST', '/api/transfers', { amount: 900, payee: 'Garage Dupont' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(
      /^Bearer error="insufficient_user_authentication".*step_up_challenge="chl_/,
    );
    expect(res.body.stepUp.challengeUrl).toBe(
      `${demo.url}/stepgate/v1/challenges/${res.body.stepUp.challengeId}`,
    );
    expect(res.body.stepUp.methods).toContain('email_otp');
  });

  it('S7: a request from a Tor exit is denied with the policy as the reason, and the browser cannot pick the IP itself', async () => {
    const api = await apiClient(demo.url, 'bob');
    const tor = await api('GET', '/api/balance', undefined, { 'x-acme-demo-network': 'tor' });
    expect(tor.status).toBe(403);
    expect(tor.body.reasons.map((r: { policyId: string }) => r.policyId)).toContain('tor-exit');
    expect(JSON.stringify(tor.body)).not.toContain('185.220'); // the signal values stay server-side
    const spoofed = await api('GET', '/api/balance', undefined, { 'x-forwarded-for': '185.220.101.9' });
    expect(spoofed.status).toBe(200);
  });

  it('a datacenter IP is only reported: the request runs', async () => {
    const api = await apiClient(demo.url, 'bob');
    const res = await api('GET', '/api/balance', undefined, { 'x-acme-demo-network': 'datacenter' });
    expect(res.status).toBe(200);
  });

  it('impossible travel (Paris, then Tokyo a minute later) asks for aal2, and Alice without a second factor is refused', async () => {
    const api = await apiClient(demo.url, 'alice');
    expect((await api('GET', '/api/balance')).status).toBe(200);
    const tokyo = await api('GET', '/api/balance', undefined, { 'x-acme-demo-network': 'abroad' });
    expect(tokyo.status).toBe(403);
    expect(tokyo.body.reasons.map((r: { policyId: string }) => r.policyId)).toContain('impossible-travel');
    expect((await api('GET', '/api/balance')).status).toBe(200); // back home (see network.ts)
  });
});
