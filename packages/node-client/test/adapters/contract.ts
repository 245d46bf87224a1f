import { type DecisionRequest, encodeStepUpContext, parseStepUpChallenge } from '@stepgate/protocol';
import { HttpResponse, http } from 'msw';
import type { SetupServer } from 'msw/node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GuardWarning } from '../../src/express/index.js';
import { createStepgate, type Stepgate } from '../../src/index.js';
import {
  API_KEY,
  allowAnswer,
  denyAnswer,
  fieldsAnswer,
  SERVICE,
  stepUpAnswer,
  viaMsw,
} from '../support/fixtures.js';
import type { AdapterHarness, HarnessApp, HarnessOptions } from './harness.js';
import { proxyContract } from './proxy-contract.js';

/**
 * The one contract every framework adapter meets (Express, Fastify, fetch/Hono). The decision
 * service is mocked at the HTTP boundary with msw so the suite can read each decision request.
 */
export function adapterContract(harness: AdapterHarness, server: SetupServer): void {
  describe(`${harness.name} adapter contract`, () => {
    let app: HarnessApp | undefined;
    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    /** Mocks the decision endpoint; returns the decision requests it received. */
    function service(answer: () => Response): Array<{ body: DecisionRequest; headers: Headers }> {
      const seen: Array<{ body: DecisionRequest; headers: Headers }> = [];
      server.use(
        http.post(`${SERVICE}/v1/decisions`, async ({ request }) => {
          seen.push({ body: (await request.json()) as DecisionRequest, headers: request.headers });
          return answer();
        }),
      );
      return seen;
    }

    async function start(options: HarnessOptions = {}, client?: Stepgate): Promise<HarnessApp> {
      app = await harness.start(
        client ??
          createStepgate({ serviceUrl: SERVICE, apiKey: API_KEY, retry: 0, timeoutMs: 5_000, ...viaMsw }),
        options,
      );
      return app;
    }

    const post = (
      a: HarnessApp,
      headers: Record<string, string> = {},
      body: unknown = { amount: 700, currency: 'EUR', payee: 'p_1' },
    ) =>
      fetch(`${a.url}/guarded`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-test-user': 'u_1', ...headers },
        body: JSON.stringify(body),
      });

    it('allow: runs the handler with the verdict and sends subject, action, transaction, IP and user agent', async () => {
      const seen = service(() => HttpResponse.json(allowAnswer()));
      const res = await post(await start(), { 'user-agent': 'contract-test/1' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true, decisionId: 'dec_1' });
      expect(seen).toHaveLength(1);
      expect(seen[0]?.body).toEqual({
        subject: { id: 'u_1', sessionId: 'sess_u_1', acr: 'aal1' },
        action: { name: 'payments.transfer' },
        transaction: { amount: 700, currency: 'EUR', payee: 'p_1' },
        context: { ip: '127.0.0.1', userAgent: 'contract-test/1' },
      });
      expect(seen[0]?.headers.get('authorization')).toBe(`Bearer ${API_KEY}`);
    });

    it('no subject: 401 unauthorized without asking the service', async () => {
      const seen = service(() => HttpResponse.json(allowAnswer()));
      const res = await post(await start(), { 'x-test-user': '' });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: 'unauthorized' } });
      expect(seen).toHaveLength(0);
    });

    it('step_up: 401 with the RFC 9470 challenge and the wire-format body through the proxy', async () => {
      service(() => HttpResponse.json(stepUpAnswer()));
      const res = await post(await start({ proxy: { publicOrigin: 'https://bank.example' } }));
      expect(res.status).toBe(401);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const parsed = parseStepUpChallenge(res.headers.get('www-authenticate'));
      expect(parsed).toMatchObject({
        dialect: 'stepgate',
        challengeId: 'chl_abc',
        acrValues: ['urn:stepgate:aal1'],
        maxAge: 0,
      });
      expect(await res.json()).toEqual({
        error: { code: 'insufficient_user_authentication', message: expect.any(String) },
        stepUp: {
          challengeId: 'chl_abc',
          challengeUrl: 'https://bank.example/stepgate/v1/challenges/chl_abc',
          acr: 'urn:stepgate:aal1',
          maxAge: 0,
          methods: ['email_otp'],
          expiresAt: '2030-01-01T00:00:00Z',
        },
      });
    });

    it('step_up: challengeUrl from Host when no publicOrigin is set, and direct to the service without the proxy', async () => {
      service(() => HttpResponse.json(stepUpAnswer()));
      const a = await start();
      const body = (await (await post(a, { 'x-forwarded-host': 'evil.example' })).json()) as {
        stepUp: { challengeUrl: string };
      };
      expect(body.stepUp.challengeUrl).toBe(`${a.url}/stepgate/v1/challenges/chl_abc`);
      await a.close();
      const direct = await start({ proxy: false });
      const body2 = (await (await post(direct)).json()) as { stepUp: { challengeUrl: string } };
      expect(body2.stepUp.challengeUrl).toBe(`${SERVICE}/v1/challenges/chl_abc`);
    });

    it('no publicOrigin: one warning when the adapter is created, none per request (issue 15)', async () => {
      service(() => HttpResponse.json(stepUpAnswer()));
      const warnings: GuardWarning[] = [];
      const a = await start({ onWarning: (w) => warnings.push(w) });
      await post(a);
      await post(a);
      expect(warnings.map((w) => w.code)).toEqual(['proxy_public_origin_unset']);
      expect(warnings[0]?.message).toContain('proxy.publicOrigin');
      await a.close();
      const quiet: GuardWarning[] = [];
      await start({ proxy: { publicOrigin: 'https://bank.example' }, onWarning: (w) => quiet.push(w) });
      await start({ proxy: false, onWarning: (w) => quiet.push(w) });
      expect(quiet).toEqual([]);
    });

    it('NODE_ENV=production: a mounted proxy without publicOrigin is refused at creation, with a code (issue 15)', async () => {
      const client = createStepgate({
        serviceUrl: SERVICE,
        apiKey: API_KEY,
        retry: 0,
        timeoutMs: 5_000,
        ...viaMsw,
      });
      vi.stubEnv('NODE_ENV', 'production');
      try {
        await expect(harness.start(client)).rejects.toMatchObject({
          name: 'StepgateClientError',
          code: 'invalid_options',
          message: expect.stringContaining('proxy.publicOrigin'),
        });
        await expect(harness.start(client, { proxy: { prefix: '/sg' } })).rejects.toMatchObject({
          code: 'invalid_options',
        });
        // With the origin set, or with no proxy (challengeUrl from publicServiceUrl), it starts.
        service(() => HttpResponse.json(stepUpAnswer()));
        const a = await harness.start(client, { proxy: { publicOrigin: 'https://bank.example' } });
        const body = (await (await post(a, { host: 'evil.example' })).json()) as {
          stepUp: { challengeUrl: string };
        };
        expect(body.stepUp.challengeUrl).toBe('https://bank.example/stepgate/v1/challenges/chl_abc');
        await a.close();
        await (await harness.start(client, { proxy: false })).close();
      } finally {
        vi.unstubAllEnvs();
      }
    });

    it('deny: 403 access_denied with only the reasons that are safe to show', async () => {
      service(() => HttpResponse.json(denyAnswer()));
      const res = await post(await start());
      expect(res.status).toBe(403);
      const body = await res.json();
      expect(body).toEqual({
        error: { code: 'access_denied', message: expect.any(String) },
        reasons: [{ policyId: 'tor-exit', code: 'policy_matched', detail: 'requests from Tor are refused' }],
      });
      expect(JSON.stringify(body)).not.toContain('203.0.113.9');
    });

    const failures: Array<[string, () => Response]> = [
      ['a 500', () => new HttpResponse(null, { status: 500 })],
      ['{"decision":"maybe"}', () => HttpResponse.json({ ...allowAnswer(), decision: 'maybe' })],
      ['a malformed body', () => new HttpResponse('not json', { status: 200 })],
      ['a network error', () => HttpResponse.error()],
    ];
    for (const [name, answer] of failures) {
      it(`S20: ${name} from the service answers 503 decision_unavailable and the handler does not run`, async () => {
        service(answer);
        const res = await post(await start());
        expect(res.status).toBe(503);
        expect(await res.json()).toMatchObject({ error: { code: 'decision_unavailable' } });
      });
    }

    it('S21: an open breaker answers 503 without calling the service', async () => {
      const seen = service(() => new HttpResponse(null, { status: 500 }));
      const client = createStepgate({
        serviceUrl: SERVICE,
        apiKey: API_KEY,
        retry: 0,
        timeoutMs: 5_000,
        breaker: { failures: 1, halfOpenAfterMs: 60_000 },
        ...viaMsw,
      });
      const a = await start({}, client);
      expect((await post(a)).status).toBe(503);
      server.use(http.post(`${SERVICE}/v1/decisions`, () => HttpResponse.json(allowAnswer())));
      expect((await post(a)).status).toBe(503);
      expect(seen).toHaveLength(1);
    });

    it('S20: hands the failure to onError, and the 503 reveals nothing of it', async () => {
      service(() =>
        HttpResponse.json(
          { error: { code: 'internal_error', message: 'db at 10.1.2.3 down' } },
          { status: 500 },
        ),
      );
      const errors: unknown[] = [];
      const res = await post(await start({ onError: (e) => errors.push(e) }));
      expect(res.status).toBe(503);
      expect(await res.text()).not.toContain('10.1.2.3');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ name: 'StepgateClientError', code: 'decision_unavailable' });
    });

    it("issue 22: a transaction that does not fit the policies' field types is 400, without asking the service", async () => {
      const seen = service(() => HttpResponse.json(allowAnswer()));
      const a = await start();
      for (const amount of ['900 EUR', null, [], {}, '1e9']) {
        const res = await post(a, {}, { amount, payee: 'p_1' });
        expect(res.status, JSON.stringify(amount)).toBe(400);
        expect(await res.json()).toEqual({
          error: {
            code: 'invalid_request',
            message: expect.stringMatching(
              /^transaction\.amount must be a number \(compared by policy fresh-check\)/,
            ),
            path: '/transaction/amount',
            details: {
              field: 'transaction.amount',
              policyId: 'fresh-check',
              expected: 'number',
              actual: expect.any(String),
              policyVersion: 'v1',
            },
          },
        });
      }
      expect(seen).toHaveLength(0);
      // A missing amount is the policy's onMissing, and a report-only field is the service's to report.
      expect((await post(a, {}, { payee: 'p_1', note: 7 })).status).toBe(200);
      expect(seen).toHaveLength(1);
    });

    it('issue 22: a 400 invalid_request from the service is passed on as 400 with the field named, not 503', async () => {
      const details = {
        field: 'transaction.currency',
        policyId: 'eur-only',
        expected: 'string',
        actual: 'number',
        policyVersion: 'v1',
      };
      service(() =>
        HttpResponse.json(
          { error: { code: 'invalid_request', message: 'transaction.currency must be a string', details } },
          { status: 400 },
        ),
      );
      const errors: unknown[] = [];
      const res = await post(await start({ onError: (e) => errors.push(e) }));
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: {
          code: 'invalid_request',
          message: 'transaction.currency must be a string',
          path: '/transaction/currency',
          details,
        },
      });
      expect(errors).toEqual([]);
    });

    it('issue 22: the field types are fetched once, refreshed when a decision carries another policy version, and skipped while unavailable', async () => {
      let fetches = 0;
      let version = 'v1';
      server.use(
        http.get(`${SERVICE}/v1/policies/fields`, () => {
          fetches += 1;
          return HttpResponse.json(fieldsAnswer(version));
        }),
      );
      const seen = service(() => HttpResponse.json(allowAnswer({ policyVersion: version })));
      const a = await start();
      expect((await post(a)).status).toBe(200);
      expect((await post(a)).status).toBe(200);
      expect(fetches).toBe(1);
      version = 'v2';
      expect((await post(a)).status).toBe(200);
      await expect.poll(() => fetches).toBe(2);
      expect(seen).toHaveLength(3);
      await a.close();
      // The types cannot be read: the guard checks nothing itself and the service decides.
      server.use(http.get(`${SERVICE}/v1/policies/fields`, () => new HttpResponse(null, { status: 500 })));
      const b = await start();
      expect((await post(b, {}, { amount: '900 EUR' })).status).toBe(200);
      expect(seen).toHaveLength(4);
    });

    it('a failing getSubject answers 500 and never allows', async () => {
      const seen = service(() => HttpResponse.json(allowAnswer()));
      const res = await post(await start({ subjectThrows: true }));
      expect(res.status).toBe(500);
      expect(seen).toHaveLength(0);
    });

    it('forwards Step-Up-Token as stepUpToken and refuses a malformed one with 400', async () => {
      const seen = service(() => HttpResponse.json(allowAnswer()));
      const a = await start();
      expect((await post(a, { 'step-up-token': 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1XzEifQ.sig' })).status).toBe(
        200,
      );
      expect(seen[0]?.body.stepUpToken).toBe('eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1XzEifQ.sig');
      expect(seen[0]?.headers.get('idempotency-key')).toBeTruthy();
      expect((await post(a, { 'step-up-token': 'not a token' })).status).toBe(400);
      expect(seen).toHaveLength(1);
    });

    it('S17: never forwards the browser’s Idempotency-Key: each request gets its own key', async () => {
      const seen = service(() => HttpResponse.json(allowAnswer()));
      const a = await start();
      const headers = { 'idempotency-key': 'browser-key-1', 'step-up-token': 'eyJhbGciOiJFUzI1NiJ9.e30.sig' };
      await post(a, headers);
      await post(a, headers);
      const keys = seen.map((s) => s.headers.get('idempotency-key'));
      expect(keys).toHaveLength(2);
      expect(keys).not.toContain('browser-key-1');
      expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
      expect(keys[1]).not.toBe(keys[0]);
    });

    it('S25: forwards a valid Step-Up-Context as context.device and drops a malformed one', async () => {
      const seen = service(() => HttpResponse.json(allowAnswer()));
      const a = await start();
      const device = {
        v: 1 as const,
        deviceId: 'dev_1',
        fingerprint: 'fp_1',
        signals: { tz: 'Europe/Paris' },
      };
      await post(a, { 'step-up-context': encodeStepUpContext(device) });
      await post(a, { 'step-up-context': 'eyJub3QiOiJ2YWxpZCJ9' });
      expect(seen[0]?.body.context?.device).toEqual(device);
      expect(seen[1]?.body.context?.device).toBeUndefined();
    });

    it('S7, S23: ignores a browser X-Forwarded-For unless the peer is a trusted proxy', async () => {
      const seen = service(() => HttpResponse.json(allowAnswer()));
      let a = await start();
      await post(a, { 'x-forwarded-for': '203.0.113.7' });
      await a.close();
      a = await start({ trustProxy: ['10.0.0.0/8'] });
      await post(a, { 'x-forwarded-for': '203.0.113.7' });
      await a.close();
      a = await start({ trustProxy: 'loopback' });
      await post(a, { 'x-forwarded-for': '203.0.113.7' });
      await a.close();
      a = await start({ trustProxy: ['loopback', '10.0.0.0/8'] });
      await post(a, { 'x-forwarded-for': '198.51.100.1, 203.0.113.7, 10.0.0.5' });
      expect(seen.map((s) => s.body.context?.ip)).toEqual([
        '127.0.0.1',
        '127.0.0.1',
        '203.0.113.7',
        '203.0.113.7',
      ]);
    });

    if (harness.frameworkTrust) {
      it("S7: without trustProxy, follows the framework's own proxy setting, as req.ip does", async () => {
        const seen = service(() => HttpResponse.json(allowAnswer()));
        const cdn = { 'cf-ipcountry': 'fr' };
        let a = await start({ appTrustProxy: 'loopback' });
        await post(a, { 'x-forwarded-for': '198.51.100.1, 203.0.113.7', ...cdn });
        await a.close();
        a = await start({ appTrustProxy: '10.0.0.0/8' });
        await post(a, { 'x-forwarded-for': '203.0.113.7', ...cdn });
        await a.close();
        // The guard's own option wins over the framework's.
        a = await start({ appTrustProxy: 'loopback', trustProxy: false });
        await post(a, { 'x-forwarded-for': '203.0.113.7', ...cdn });
        expect(seen.map((s) => [s.body.context?.ip, s.body.context?.geo?.country])).toEqual([
          ['203.0.113.7', 'FR'],
          ['127.0.0.1', undefined],
          ['127.0.0.1', undefined],
        ]);
      });
    }

    it('reads CDN geo headers only from a trusted proxy, or asks the geo callback', async () => {
      const seen = service(() => HttpResponse.json(allowAnswer()));
      const cdn = { 'cf-ipcountry': 'fr', 'cf-iplatitude': '48.85', 'cf-iplongitude': '2.35' };
      let a = await start();
      await post(a, cdn);
      await a.close();
      a = await start({ trustProxy: 'loopback' });
      await post(a, cdn);
      await post(a, { 'cloudfront-viewer-country': 'DE' });
      await post(a, { 'cf-ipcountry': 'XX' });
      await a.close();
      a = await start({ geo: 'callback' });
      await post(a);
      expect(seen.map((s) => s.body.context?.geo)).toEqual([
        undefined,
        { country: 'FR', lat: 48.85, lon: 2.35 },
        { country: 'DE' },
        undefined,
        { country: 'NZ', lat: -41.29, lon: 174.78 },
      ]);
    });

    it('leaves unguarded routes alone', async () => {
      const seen = service(() => HttpResponse.json(allowAnswer()));
      const res = await fetch(`${(await start()).url}/open`);
      expect([res.status, seen.length]).toEqual([200, 0]);
    });

    proxyContract(() => start, server);
  });
}
