import { type RunningService, startDecisionService } from '@stepgate/decision-service';
import type { StepUpAnswerBody, VerifyAnswer } from '@stepgate/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStepgate, type Stepgate } from '../src/index.js';
import { expressHarness } from './adapters/express-harness.js';
import { express4Harness } from './adapters/express4-harness.js';
import { fastifyHarness } from './adapters/fastify-harness.js';
import type { AdapterHarness, HarnessApp } from './adapters/harness.js';
import { honoHarness } from './adapters/hono-harness.js';
import { POLICY } from './support/service.js';
import { totp } from './support/totp.js';

/**
 * The whole step-up as a browser runs it, through the app's challenge proxy, against the real
 * service with the dev email sender: 401 → challenge → code from the dev outbox → token → retry.
 */
const TRANSFER = { amount: 700, currency: 'EUR', payee: 'FR7630006000011234567890189' };

let svc: RunningService;
let stepgate: Stepgate;
beforeAll(async () => {
  svc = await startDecisionService({
    port: 0,
    policies: POLICY,
    watchPolicies: false,
    config: { senders: { email: { type: 'dev' } } },
  });
  stepgate = createStepgate({ serviceUrl: svc.url, apiKey: svc.apiKey, timeoutMs: 5_000 });
  await stepgate.upsertUser('alice', { email: 'alice@example.com' });
});
afterAll(() => svc.close());

const json = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/**
 * Passes a challenge by an emailed code through the app's proxy, as the widget would: start,
 * read the code from the dev outbox, verify. Returns the upgraded token.
 */
async function passByEmail(app: HarnessApp, challengeId: string, address: string): Promise<string> {
  const challengeUrl = `${app.url}/stepgate/v1/challenges/${challengeId}`;
  expect((await json(`${challengeUrl}/start`, { method: 'email_otp' })).status).toBe(200);
  const outbox = await fetch(`${svc.url}/v1/dev/outbox?to=${encodeURIComponent(address)}`, {
    headers: { authorization: `Bearer ${svc.adminKey}` },
  });
  const code = ((await outbox.json()) as { messages: Array<{ code: string }> }).messages.at(-1)?.code;
  const verified = await json(`${challengeUrl}/verify`, { method: 'email_otp', code });
  expect(verified.status).toBe(200);
  return ((await verified.json()) as VerifyAnswer).token;
}

for (const harness of [
  expressHarness,
  express4Harness,
  fastifyHarness,
  honoHarness,
] satisfies AdapterHarness[]) {
  describe(`full step-up with an email code through the ${harness.name} proxy (real service)`, () => {
    let app: HarnessApp;
    beforeAll(async () => {
      app = await harness.start(stepgate);
    });
    afterAll(() => app.close());

    const transfer = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${app.url}/guarded`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-test-user': 'alice', ...headers },
        body: JSON.stringify(body),
      });

    it('S17, S26: code → token → the retried request is allowed once; a replay and another amount are refused', async () => {
      const first = await transfer(TRANSFER);
      expect(first.status).toBe(401);
      const { stepUp } = (await first.json()) as StepUpAnswerBody;
      expect(stepUp.challengeUrl.startsWith(`${app.url}/stepgate/v1/challenges/`)).toBe(true);

      const view = await fetch(stepUp.challengeUrl);
      expect(view.status).toBe(200);
      expect(await view.json()).toMatchObject({
        id: stepUp.challengeId,
        action: 'payments.transfer',
        transaction: TRANSFER,
      });

      const started = await json(`${stepUp.challengeUrl}/start`, { method: 'email_otp' });
      expect(started.status).toBe(200);
      const outbox = await fetch(`${svc.url}/v1/dev/outbox?to=alice%40example.com`, {
        headers: { authorization: `Bearer ${svc.adminKey}` },
      });
      const { messages } = (await outbox.json()) as { messages: Array<{ code: string }> };
      const code = messages.at(-1)?.code;
      expect(code).toMatch(/^\d{6}$/);

      const verified = await json(`${stepUp.challengeUrl}/verify`, { method: 'email_otp', code });
      expect(verified.status).toBe(200);
      const { token } = (await verified.json()) as VerifyAnswer;

      expect((await transfer({ ...TRANSFER, amount: 9000 }, { 'step-up-token': token })).status).toBe(401);
      expect(
        (await transfer({ ...TRANSFER, payee: 'GB29NWBK60161331926819' }, { 'step-up-token': token })).status,
      ).toBe(401);
      const retried = await transfer(TRANSFER, { 'step-up-token': token });
      expect(retried.status).toBe(200);
      expect((await transfer(TRANSFER, { 'step-up-token': token })).status).toBe(401);
    });

    it('S17: a transfer the browser replays with the same Idempotency-Key and single-use token runs at most once', async () => {
      // A user of its own, so this test's codes do not count against alice's send limits.
      const user = `replay-${harness.name.replace(/\W+/g, '-')}`;
      const email = `${user}@example.com`;
      await stepgate.upsertUser(user, { email });
      const send = (body: unknown, headers: Record<string, string> = {}) =>
        transfer(body, { 'x-test-user': user, ...headers });
      /** The step-up a browser runs: 401 → email code through the proxy → token. */
      async function tokenFor(body: unknown): Promise<string> {
        const { stepUp } = (await (await send(body)).json()) as StepUpAnswerBody;
        expect((await json(`${stepUp.challengeUrl}/start`, { method: 'email_otp' })).status).toBe(200);
        const outbox = await fetch(`${svc.url}/v1/dev/outbox?to=${encodeURIComponent(email)}`, {
          headers: { authorization: `Bearer ${svc.adminKey}` },
        });
        const { messages } = (await outbox.json()) as { messages: Array<{ code: string }> };
        const verified = await json(`${stepUp.challengeUrl}/verify`, {
          method: 'email_otp',
          code: messages.at(-1)?.code,
        });
        expect(verified.status).toBe(200);
        return ((await verified.json()) as VerifyAnswer).token;
      }
      const body = { ...TRANSFER, amount: 750 };
      const token = await tokenFor(body);
      const replay = { 'step-up-token': token, 'idempotency-key': 'browser-chosen-key' };
      // One after the other, as a double submit or a retry after a lost answer would.
      const sequential = [await send(body, replay), await send(body, replay)];
      expect(sequential.map((r) => r.status)).toEqual([200, 401]);
      // All at once: the single-use token is consumed by exactly one of them.
      const other = { ...TRANSFER, amount: 760 };
      const token2 = await tokenFor(other);
      const burst = await Promise.all(
        [1, 2, 3].map(() => send(other, { 'step-up-token': token2, 'idempotency-key': 'browser-burst-key' })),
      );
      expect(burst.map((r) => r.status).sort()).toEqual([200, 401, 401]);
    });

    it('S10: a wrong code through the proxy answers the service’s challenge_failed unchanged', async () => {
      const { stepUp } = (await (await transfer(TRANSFER)).json()) as StepUpAnswerBody;
      await json(`${stepUp.challengeUrl}/start`, { method: 'email_otp' });
      const wrong = await json(`${stepUp.challengeUrl}/verify`, { method: 'email_otp', code: '000000' });
      expect(wrong.status).toBe(400);
      expect(await wrong.json()).toMatchObject({ error: { code: 'challenge_failed' } });
    });
  });
}

describe('enrollment (real service, through the proxy)', () => {
  let app: HarnessApp;
  beforeAll(async () => {
    app = await expressHarness.start(stepgate);
  });
  afterAll(() => app.close());

  it('S31: an enrollment for a user who already has a factor asks for a step-up first', async () => {
    const answer = await stepgate.createEnrollmentTicket(
      'alice',
      { id: 'alice', sessionId: 's1', acr: 'aal1' },
      'totp',
    );
    expect('decision' in answer && answer.decision).toBe('step_up');
  });

  it('S31: after that step-up (email code through the proxy), the same call with its token gets a ticket', async () => {
    const subject = { id: 'alice', sessionId: 's1', acr: 'aal1' };
    const answer = await stepgate.createEnrollmentTicket('alice', subject, 'totp');
    if (!('decision' in answer)) throw new Error('expected a step-up first');
    expect(answer.challenge.methods).toContain('email_otp');
    const token = await passByEmail(app, answer.challenge.id, 'alice@example.com');
    const ticket = await stepgate.createEnrollmentTicket('alice', subject, 'totp', { stepUpToken: token });
    expect('ticket' in ticket && ticket.ticket).toMatch(/^enr_/);
  });

  it('S31: the first factor needs no step-up: ticket, TOTP through the proxy, then removal is gated', async () => {
    await stepgate.upsertUser('newbie', { displayName: 'New' });
    const ticket = await stepgate.createEnrollmentTicket(
      'newbie',
      { id: 'newbie', sessionId: 's2', acr: 'aal1' },
      'totp',
    );
    expect('ticket' in ticket && ticket.ticket).toMatch(/^enr_/);
    const id = 'ticket' in ticket ? ticket.ticket : '';
    // The widget's enrollment routes, through the proxy with the ticket as the capability.
    const view = await fetch(`${app.url}/stepgate/v1/enrollments/${id}`);
    expect(view.status).toBe(200);
    expect(await view.json()).toMatchObject({ userId: 'newbie', factors: [] });
    const started = await json(`${app.url}/stepgate/v1/enrollments/${id}/totp`, {});
    expect(started.status).toBe(200);
    const { secret, otpauthUri } = (await started.json()) as { secret: string; otpauthUri: string };
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    const confirmed = await json(`${app.url}/stepgate/v1/enrollments/${id}/totp/confirm`, {
      code: totp(secret),
    });
    expect(confirmed.status).toBe(200);
    const { factors } = await stepgate.listFactors('newbie');
    expect(factors.map((f) => f.method)).toEqual(['totp']);
    // S31: now that newbie has a factor, removing it (like adding another) needs a step-up first.
    const removal = await stepgate.removeFactor('newbie', factors[0]!.id, {
      id: 'newbie',
      sessionId: 's2',
      acr: 'aal1',
    });
    expect('decision' in removal && removal.decision).toBe('step_up');
    expect((await stepgate.listFactors('newbie')).factors).toHaveLength(1);
  });

  it('S31: erasing a user needs a step-up first (email code through the proxy); then the same call erases, once', async () => {
    await stepgate.upsertUser('leaver', { email: 'leaver@example.com' });
    const subject = { id: 'leaver', sessionId: 's3', acr: 'aal1' };
    const first = await stepgate.deleteUser('leaver', subject);
    if (!('decision' in first)) throw new Error('expected a step-up first');
    expect(first.requirement.methods).toEqual(['email_otp']);
    const token = await passByEmail(app, first.challenge.id, 'leaver@example.com');
    expect(await stepgate.deleteUser('leaver', subject, { stepUpToken: token })).toEqual({
      deleted: { userId: 'leaver', factors: 0 },
    });
    expect(await svc.store.getUser('leaver')).toBeUndefined();
    await expect(stepgate.deleteUser('leaver', subject, { stepUpToken: token })).rejects.toMatchObject({
      code: 'service_rejected',
      status: 404,
      serviceCode: 'not_found',
    });
  });
});
