import type { RunningService } from '@stepgate/decision-service';
import { parseStepUpChallenge, type StepUpAnswerBody, transactionDigest } from '@stepgate/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStepgate, type Stepgate } from '../src/index.js';
import { expressHarness } from './adapters/express-harness.js';
import { express4Harness } from './adapters/express4-harness.js';
import { fastifyHarness } from './adapters/fastify-harness.js';
import type { HarnessApp } from './adapters/harness.js';
import { honoHarness } from './adapters/hono-harness.js';
import { startService } from './support/service.js';

/** Integration: the guards against the REAL decision service on a loopback port. */
const post = (app: HarnessApp, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${app.url}/guarded`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-test-user': 'alice', ...headers },
    body: JSON.stringify(body),
  });

const TRANSFER = { amount: 700, currency: 'EUR', payee: 'FR7630006000011234567890189' };

describe('against the real decision service', () => {
  let svc: RunningService;
  let stepgate: Stepgate;
  beforeAll(async () => {
    svc = await startService();
    // A loaded 2-core CI machine: a generous budget, so only real failures fail closed here.
    stepgate = createStepgate({ serviceUrl: svc.url, apiKey: svc.apiKey, timeoutMs: 5_000 });
    await stepgate.upsertUser('alice', { email: 'alice@example.com', displayName: 'Alice' });
  });
  afterAll(() => svc.close());

  it("issue 22: decide() passes the service's 400 invalid_request on, with the field and the policy", async () => {
    const error = await stepgate
      .decide({
        subject: { id: 'alice' },
        action: { name: 'payments.transfer' },
        transaction: { amount: Number('900 EUR') },
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'invalid_request',
      status: 400,
      details: {
        field: 'transaction.amount',
        policyId: 'fresh-check-for-transfers',
        expected: 'number',
        actual: 'null',
      },
    });
    expect(await stepgate.policyFields()).toEqual({
      policyVersion: svc.policyVersion(),
      fields: {
        'transaction.amount': { type: 'number', policies: ['fresh-check-for-transfers', 'transfer-ceiling'] },
      },
    });
  });

  for (const harness of [expressHarness, express4Harness, fastifyHarness, honoHarness]) {
    describe(harness.name, () => {
      let app: HarnessApp;
      beforeAll(async () => {
        app = await harness.start(stepgate, { proxy: { publicOrigin: 'https://bank.example' } });
      });
      afterAll(() => app.close());

      it('allow: a small transfer runs the handler with the service’s decision id', async () => {
        const res = await post(app, { amount: 20, currency: 'EUR', payee: 'p' });
        expect(res.status).toBe(200);
        expect(((await res.json()) as { decisionId: string }).decisionId).toMatch(/^dec_/);
      });

      it('step_up: a large transfer answers 401 with the challenge the service created', async () => {
        const res = await post(app, TRANSFER);
        expect(res.status).toBe(401);
        const body = (await res.json()) as StepUpAnswerBody;
        const parsed = parseStepUpChallenge(res.headers.get('www-authenticate'), body);
        expect(parsed?.dialect).toBe('stepgate');
        expect(parsed?.challengeId).toBe(body.stepUp.challengeId);
        expect(body.stepUp).toMatchObject({ acr: 'urn:stepgate:aal1', maxAge: 0, methods: ['email_otp'] });
        expect(body.stepUp.challengeUrl).toBe(
          `https://bank.example/stepgate/v1/challenges/${body.stepUp.challengeId}`,
        );
        expect(await svc.stores.challenges.getChallenge(body.stepUp.challengeId)).toMatchObject({
          userId: 'alice',
          action: 'payments.transfer',
          status: 'pending',
        });
      });

      it('issue 22: an amount of the wrong type is a 400 from the guard itself; a missing one fails closed', async () => {
        const user = `typed-${harness.name.replace(/\W/g, '')}`;
        for (const amount of ['900 EUR', null, [], {}, '1e9']) {
          const res = await post(app, { ...TRANSFER, amount }, { 'x-test-user': user });
          expect(res.status, JSON.stringify(amount)).toBe(400);
          expect(((await res.json()) as { error: { details: object } }).error.details).toEqual({
            field: 'transaction.amount',
            policyId: 'fresh-check-for-transfers',
            expected: 'number',
            actual: expect.any(String),
            policyVersion: svc.policyVersion(),
          });
        }
        // The guard answered: the service saw none of them (it audits every refusal it makes).
        const audit = await fetch(`${svc.url}/v1/audit?user=${user}`, {
          headers: { authorization: `Bearer ${svc.adminKey}` },
        });
        expect(((await audit.json()) as { records: unknown[] }).records).toEqual([]);
        // No amount: the ceiling (a deny policy) cannot tell, so it denies, and says why.
        const { amount: _, ...noAmount } = TRANSFER;
        const missing = await post(app, noAmount);
        expect(missing.status).toBe(403);
        expect(((await missing.json()) as { reasons: unknown[] }).reasons).toContainEqual({
          policyId: 'transfer-ceiling',
          code: 'field_missing',
          detail: 'transaction.amount is missing from the request; onMissing is deny',
        });
      });

      it('deny: a transfer over the ceiling answers 403 access_denied', async () => {
        const res = await post(app, { ...TRANSFER, amount: 500_000 });
        expect(res.status).toBe(403);
        const body = (await res.json()) as { error: { code: string }; reasons: Array<{ policyId: string }> };
        expect(body.error.code).toBe('access_denied');
        expect(body.reasons.map((r) => r.policyId)).toContain('transfer-ceiling');
      });

      it('S17: an upgraded token bound to the transfer is accepted once; a replay and another amount are refused', async () => {
        const digest = await transactionDigest({ action: 'payments.transfer', transaction: TRANSFER });
        const { token } = svc.tokens.mintStepUpToken({
          sub: 'alice',
          aud: svc.config.audiences[0]!,
          acr: 'urn:stepgate:aal1',
          amr: ['otp'],
          authTime: Math.floor(Date.now() / 1000),
          sid: 'sess_alice',
          action: 'payments.transfer',
          digest,
        });
        expect((await post(app, { ...TRANSFER, amount: 9000 }, { 'step-up-token': token })).status).toBe(401);
        expect((await post(app, TRANSFER, { 'step-up-token': token })).status).toBe(200);
        expect((await post(app, TRANSFER, { 'step-up-token': token })).status).toBe(401);
      });

      it('proxy: forwards to the same path on the service and passes its answer through unchanged', async () => {
        const path = '/v1/challenges/chl_doesnotexist000000000000';
        const direct = await fetch(`${svc.url}${path}`, {
          headers: { authorization: `Bearer ${svc.apiKey}` },
        });
        const proxied = await fetch(`${app.url}/stepgate${path}`);
        expect(proxied.status).toBe(direct.status);
        expect(await proxied.text()).toBe(await direct.text());
        const refused = await fetch(`${app.url}/stepgate/v1/users/alice/factors`);
        expect(refused.status).toBe(404);
      });
    });
  }

  it('S23: a forged client-side "verified" changes nothing — an unsigned token and made-up headers still step up', async () => {
    const app = await expressHarness.start(stepgate);
    try {
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const forged = `${b64({ alg: 'none', typ: 'stepup+jwt' })}.${b64({ sub: 'alice', acr: 'urn:stepgate:aal3' })}.`;
      const res = await post(app, TRANSFER, {
        'step-up-token': forged,
        'x-step-up-verified': 'true',
        'x-stepgate-decision': 'allow',
      });
      expect(res.status).toBe(401);
      expect(((await res.json()) as StepUpAnswerBody).error.code).toBe('insufficient_user_authentication');
    } finally {
      await app.close();
    }
  });

  it('decide(), feedback() and listFactors() work against the service', async () => {
    const verdict = await stepgate.decide({ subject: { id: 'alice' }, action: { name: 'reports.view' } });
    expect(verdict.decision).toBe('allow');
    await stepgate.feedback(verdict.decisionId, 'legit');
    const { factors } = await stepgate.listFactors('alice');
    expect(Array.isArray(factors)).toBe(true);
    await expect(stepgate.feedback('dec_doesnotexist', 'fraud')).rejects.toMatchObject({
      code: 'service_rejected',
      status: 404,
    });
  });

  it('S20: the service stopped mid-run fails closed with 503', async () => {
    const own = await startService();
    const client = createStepgate({ serviceUrl: own.url, apiKey: own.apiKey, timeoutMs: 5_000, retry: 0 });
    await client.upsertUser('alice', { email: 'alice@example.com' });
    const app = await expressHarness.start(client);
    try {
      expect((await post(app, { amount: 20 })).status).toBe(200);
      await own.close();
      const res = await post(app, { amount: 20 });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: { code: 'decision_unavailable' } });
    } finally {
      await app.close();
    }
  });
});
