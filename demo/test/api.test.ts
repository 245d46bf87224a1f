import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDemo } from './harness.js';
import { apiClient, passEmailChallenge } from './http.js';

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

  it('answers malformed JSON with 400 invalid_request', async () => {
    const broken = await fetch(`${demo.url}/api/transfers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"amount":',
    });
    expect(broken.status).toBe(400);
    expect((await broken.json()).error.code).toBe('invalid_request');
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

  it('a request from a Tor exit is denied with the policy as the reason, and the browser cannot pick the IP itself', async () => {
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
  it('impossible travel for Carol, who has an authenticator app: a step-up to aal2 offering it, never an email code', async () => {
    const api = await apiClient(demo.url, 'carol');
    expect((await api('GET', '/api/balance')).status).toBe(200);
    const tokyo = await api('GET', '/api/balance', undefined, { 'x-acme-demo-network': 'abroad' });
    expect(tokyo.status).toBe(401);
    expect(tokyo.body.stepUp.acr).toBe('urn:stepgate:aal2');
    expect(tokyo.body.stepUp.methods).toContain('totp');
    expect(tokyo.body.stepUp.methods).not.toContain('email_otp');
  });

  it('S23: only an admin may change a role — authorization runs before the step-up guard (issue 15)', async () => {
    const change = { userId: 'bob', role: 'admin' };
    const anonymous = await fetch(`${demo.url}/api/roles`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(change),
    });
    expect(anonymous.status).toBe(401);
    const bob = await apiClient(demo.url, 'bob');
    for (const headers of [{}, { 'step-up-token': 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2ln' }]) {
      const refused = await bob('POST', '/api/roles', change, headers);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('forbidden');
      // No challenge: a step-up cannot make up for a permission Bob does not have.
      expect(refused.headers.get('www-authenticate')).toBeNull();
      expect(refused.body.stepUp).toBeUndefined();
    }
    const carol = await apiClient(demo.url, 'carol'); // a teller is not an admin either
    expect((await carol('POST', '/api/roles', change)).status).toBe(403);
    const me = await bob('GET', '/api/me');
    expect(me.body.user.role).toBe('customer');
    expect(me.body.users).toEqual([]); // the user list is the Roles page's, which only admins have
    // Alice is an admin: her request reaches the guard, and the policy decides on proof (she has no
    // passkey yet, so the aal3 requirement cannot be met: a policy deny, not a missing permission).
    const alice = await apiClient(demo.url, 'alice');
    const asked = await alice('POST', '/api/roles', { userId: 'bob', role: 'teller' });
    expect(asked.status).toBe(403);
    expect(asked.body.error.code).toBe('access_denied');
    expect(asked.body.reasons.map((r: { policyId: string }) => r.policyId)).toContain('privilege-escalation');
    expect((await alice('GET', '/api/me')).body.users.map((u: { id: string }) => u.id)).toContain('bob');
  });

  it('S17: an upgraded token replayed by hand is refused (single use), and the money moves once', async () => {
    const api = await apiClient(demo.url, 'bob');
    const transfer = { amount: 700, payee: 'Plombier Martin' };
    const first = await api('POST', '/api/transfers', transfer);
    expect(first.status).toBe(401);
    const token = await passEmailChallenge(api, first.body.stepUp.challengeId);
    const paid = await api('POST', '/api/transfers', transfer, { 'step-up-token': token });
    expect(paid.status).toBe(200);
    const replay = await api('POST', '/api/transfers', transfer, { 'step-up-token': token });
    expect(replay.status).toBe(401);
    expect(replay.body.stepUp.challengeId).not.toBe(first.body.stepUp.challengeId);
    expect((await api('GET', '/api/balance')).body.balance).toBe(paid.body.balance);
  });

  it('S17, S18: a transfer changed after its challenge is refused (the token is bound to amount and payee)', async () => {
    const api = await apiClient(demo.url, 'bob');
    const before = (await api('GET', '/api/balance')).body.balance;
    const asked = await api('POST', '/api/transfers', { amount: 600, payee: 'Bob' });
    const token = await passEmailChallenge(api, asked.body.stepUp.challengeId);
    for (const changed of [
      { amount: 950, payee: 'Bob' },
      { amount: 600, payee: 'Eve' },
    ]) {
      const res = await api('POST', '/api/transfers', changed, { 'step-up-token': token });
      expect(res.status).toBe(401);
    }
    expect((await api('GET', '/api/balance')).body.balance).toBe(before);
  });
});
