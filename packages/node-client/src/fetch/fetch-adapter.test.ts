import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  API_KEY,
  allowAnswer,
  fieldsAnswer,
  SERVICE,
  stepUpAnswer,
  viaMsw,
} from '../../test/support/fixtures.js';
import { createStepgate } from '../client/create-stepgate.js';
import { stepgateFetch } from './index.js';

const server = setupServer(
  http.get(`${SERVICE}/v1/policies/fields`, () => HttpResponse.json(fieldsAnswer())),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

// A Next.js-style route handler: `export const POST = sg.requireStepUp(options, handler)`.
describe('stepgateFetch().requireStepUp() as a route handler', () => {
  const sg = stepgateFetch(
    createStepgate({ serviceUrl: SERVICE, apiKey: API_KEY, timeoutMs: 5_000, ...viaMsw }),
    {
      getSubject: (request) =>
        request.headers.get('x-user') ? { id: request.headers.get('x-user')! } : null,
      proxy: { publicOrigin: 'https://bank.example' },
    },
  );
  const calls: string[] = [];
  const POST = sg.requireStepUp(
    {
      action: 'payments.transfer',
      transaction: async (request) => (await request.clone().json()) as Record<string, unknown>,
    },
    async (request, { stepUp }) => {
      calls.push(stepUp.decisionId);
      return Response.json({ ok: true, amount: ((await request.json()) as { amount: number }).amount });
    },
  );
  const request = (user: string) =>
    new Request('https://bank.example/api/transfer', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user': user },
      body: JSON.stringify({ amount: 700 }),
    });

  it('runs the handler with the verdict on allow, and the handler can still read the body', async () => {
    server.use(http.post(`${SERVICE}/v1/decisions`, () => HttpResponse.json(allowAnswer())));
    const res = await POST(request('u_1'));
    expect([res.status, await res.json(), calls.at(-1)]).toEqual([200, { ok: true, amount: 700 }, 'dec_1']);
  });

  it('returns the 401 step-up answer without running the handler', async () => {
    server.use(http.post(`${SERVICE}/v1/decisions`, () => HttpResponse.json(stepUpAnswer())));
    const before = calls.length;
    const res = await POST(request('u_1'));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { stepUp: { challengeUrl: string } }).stepUp.challengeUrl).toBe(
      'https://bank.example/stepgate/v1/challenges/chl_abc',
    );
    expect(calls.length).toBe(before);
  });

  it('answers 401 unauthorized without a subject, and proxy() ignores paths outside its prefix', async () => {
    expect((await POST(request(''))).status).toBe(401);
    expect(await sg.proxy(new Request('https://bank.example/api/transfer'))).toBeUndefined();
  });
});
