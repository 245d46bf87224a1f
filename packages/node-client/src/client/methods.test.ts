import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, SERVICE, stepUpAnswer, viaMsw } from '../../test/support/fixtures.js';
import type { StepgateClientError } from '../errors.js';
import { createStepgate } from './create-stepgate.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const stepgate = createStepgate({ serviceUrl: SERVICE, apiKey: API_KEY, timeoutMs: 5_000, ...viaMsw });
const subject = { id: 'u 1', sessionId: 's_1', authTime: 1_700_000_000, acr: 'aal1' };

describe('deleteUser()', () => {
  it('S31: DELETEs the user with the subject, passes the step-up on, sends the token on the retry once', async () => {
    const { requirement, challenge } = stepUpAnswer();
    const seen: Array<{ method: string; path: string; body: unknown }> = [];
    server.use(
      http.delete(`${SERVICE}/v1/users/:id`, async ({ request }) => {
        const body = (await request.json()) as { stepUpToken?: string };
        seen.push({ method: request.method, path: new URL(request.url).pathname, body });
        if (body.stepUpToken === undefined)
          return HttpResponse.json({ decision: 'step_up', requirement, challenge });
        return HttpResponse.json({ deleted: { userId: 'u 1', factors: 2 } });
      }),
    );
    const first = await stepgate.deleteUser('u 1', subject);
    expect('decision' in first && first.decision).toBe('step_up');
    expect(await stepgate.deleteUser('u 1', subject, { stepUpToken: 'a.b.c' })).toEqual({
      deleted: { userId: 'u 1', factors: 2 },
    });
    expect(seen).toEqual([
      { method: 'DELETE', path: '/v1/users/u%201', body: { subject } },
      { method: 'DELETE', path: '/v1/users/u%201', body: { subject, stepUpToken: 'a.b.c' } },
    ]);
  });

  it('fails closed on a malformed answer and refuses a bad body before any call', async () => {
    server.use(
      http.delete(`${SERVICE}/v1/users/:id`, () => HttpResponse.json({ deleted: { userId: 'u 1' } })),
    );
    await expect(stepgate.deleteUser('u 1', subject)).rejects.toMatchObject({ code: 'service_unavailable' });
    await expect(stepgate.deleteUser('u 1', { id: '' })).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});

describe('upsertUser(), createEnrollmentTicket(), feedback()', () => {
  it('PUTs the user to an encoded path and returns the user view', async () => {
    let path = '';
    server.use(
      http.put(`${SERVICE}/v1/users/:id`, async ({ request, params }) => {
        path = new URL(request.url).pathname;
        return HttpResponse.json({ id: params.id, ...((await request.json()) as object) });
      }),
    );
    const user = await stepgate.upsertUser('u 1', { email: 'ann@example.com' });
    expect(path).toBe('/v1/users/u%201');
    expect(user).toEqual({ id: 'u 1', email: 'ann@example.com' });
  });

  it('S31, S33: returns the step-up a contact change needs first; the retry with its token is sent once', async () => {
    const { requirement, challenge } = stepUpAnswer();
    const bodies: unknown[] = [];
    server.use(
      http.put(`${SERVICE}/v1/users/:id`, async ({ request }) => {
        const body = (await request.json()) as { stepUpToken?: string };
        bodies.push(body);
        if (body.stepUpToken === undefined)
          return HttpResponse.json({ decision: 'step_up', requirement, challenge });
        return new HttpResponse(null, { status: 503 });
      }),
    );
    const answer = await stepgate.upsertUser('u 1', { phone: '+33612345678', subject });
    expect('decision' in answer && answer.challenge.id).toBe('chl_abc');
    await expect(
      stepgate.upsertUser('u 1', { phone: '+33612345678', subject, stepUpToken: 'eyJ.e30.sig' }),
    ).rejects.toMatchObject({ code: 'service_unavailable' });
    // The single-use token went out once: no retry after the 503.
    expect(bodies).toHaveLength(2);
    server.use(http.put(`${SERVICE}/v1/users/:id`, () => HttpResponse.json({ decision: 'allow' })));
    await expect(stepgate.upsertUser('u 1', { phone: '+33612345678' })).rejects.toMatchObject({
      code: 'service_unavailable',
    });
  });

  it('returns an enrollment ticket', async () => {
    let body: unknown;
    server.use(
      http.post(`${SERVICE}/v1/enrollments`, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({ ticket: 'enr_1', expiresAt: '2030-01-01T00:00:00Z' });
      }),
    );
    expect(await stepgate.createEnrollmentTicket('u 1', subject, 'totp')).toEqual({
      ticket: 'enr_1',
      expiresAt: '2030-01-01T00:00:00Z',
    });
    expect(body).toEqual({ userId: 'u 1', subject, method: 'totp' });
  });

  it('S31: returns the step-up an enrollment needs first', async () => {
    const { requirement, challenge } = stepUpAnswer();
    server.use(
      http.post(`${SERVICE}/v1/enrollments`, () =>
        HttpResponse.json({ decision: 'step_up', requirement, challenge }),
      ),
    );
    const answer = await stepgate.createEnrollmentTicket('u 1', subject, 'totp');
    expect('decision' in answer && answer.challenge.id).toBe('chl_abc');
  });

  it('treats a malformed enrollment answer as service_unavailable', async () => {
    server.use(http.post(`${SERVICE}/v1/enrollments`, () => HttpResponse.json({ decision: 'allow' })));
    await expect(stepgate.createEnrollmentTicket('u 1', subject)).rejects.toMatchObject({
      code: 'service_unavailable',
    });
  });

  it('posts feedback and accepts an empty 204 answer', async () => {
    let body: unknown;
    server.use(
      http.post(`${SERVICE}/v1/decisions/dec_1/feedback`, async ({ request }) => {
        body = await request.json();
        return new HttpResponse(null, { status: 204 });
      }),
    );
    await stepgate.feedback('dec_1', 'fraud');
    expect(body).toEqual({ label: 'fraud' });
  });

  it('passes the service code of a refused call', async () => {
    server.use(
      http.post(`${SERVICE}/v1/decisions/dec_x/feedback`, () =>
        HttpResponse.json({ error: { code: 'not_found', message: 'no such decision' } }, { status: 404 }),
      ),
    );
    const error = (await stepgate.feedback('dec_x', 'legit').catch((e: unknown) => e)) as StepgateClientError;
    expect([error.code, error.status, error.serviceCode]).toEqual(['service_rejected', 404, 'not_found']);
  });

  it('rejects a bad label or method before any call', async () => {
    await expect(stepgate.feedback('dec_1', 'maybe' as 'fraud')).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(stepgate.createEnrollmentTicket('u', { id: 'u' }, 'sms' as 'sms_otp')).rejects.toMatchObject(
      {
        code: 'invalid_argument',
      },
    );
  });
});
