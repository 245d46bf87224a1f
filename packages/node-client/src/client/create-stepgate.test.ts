import { delay, HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, allowAnswer, SERVICE, stepUpAnswer, viaMsw } from '../../test/support/fixtures.js';
import { StepgateClientError } from '../errors.js';
import { createStepgate } from './create-stepgate.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const input = { subject: { id: 'u_1' }, action: { name: 'payments.transfer' } };
const client = (extra = {}) =>
  createStepgate({ serviceUrl: SERVICE, apiKey: API_KEY, timeoutMs: 5_000, ...viaMsw, ...extra });

async function failure(promise: Promise<unknown>): Promise<StepgateClientError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StepgateClientError);
  return error as StepgateClientError;
}

describe('decide()', () => {
  it('sends the API key, an Idempotency-Key and the request body, and returns the verdict', async () => {
    let seen: Request | undefined;
    let body: unknown;
    server.use(
      http.post(`${SERVICE}/v1/decisions`, async ({ request }) => {
        seen = request;
        body = await request.json();
        return HttpResponse.json(allowAnswer());
      }),
    );
    const verdict = await client().decide(input);
    expect(verdict.decision).toBe('allow');
    expect(seen?.headers.get('authorization')).toBe(`Bearer ${API_KEY}`);
    expect(seen?.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
    expect(body).toEqual(input);
  });

  it('returns a step_up verdict with its challenge', async () => {
    server.use(http.post(`${SERVICE}/v1/decisions`, () => HttpResponse.json(stepUpAnswer())));
    const verdict = await client().decide(input);
    expect(verdict.challenge?.id).toBe('chl_abc');
  });

  const failures: Array<[string, () => Response | Promise<Response>]> = [
    ['a 500', () => HttpResponse.json({ error: { code: 'internal_error', message: 'x' } }, { status: 500 })],
    ['a body that is not JSON', () => new HttpResponse('<html>oops</html>', { status: 200 })],
    ['an empty body', () => new HttpResponse(null, { status: 200 })],
    ['a JSON array', () => HttpResponse.json([allowAnswer()])],
    [
      'an unknown decision value {"decision":"maybe"}',
      () => HttpResponse.json({ ...allowAnswer(), decision: 'maybe' }),
    ],
    ['a bare {"decision":"allow"}', () => HttpResponse.json({ decision: 'allow' })],
    ['a step_up without a challenge', () => HttpResponse.json({ ...stepUpAnswer(), challenge: undefined })],
    ['a network error', () => HttpResponse.error()],
    ['a redirect', () => new HttpResponse(null, { status: 302, headers: { location: 'http://evil.test/' } })],
    [
      'a 401 (wrong API key)',
      () => HttpResponse.json({ error: { code: 'unauthorized', message: 'x' } }, { status: 401 }),
    ],
  ];
  for (const [name, answer] of failures) {
    it(`S20: fails closed with decision_unavailable on ${name}`, async () => {
      server.use(http.post(`${SERVICE}/v1/decisions`, answer));
      const error = await failure(client({ retry: 0 }).decide(input));
      expect(error.code).toBe('decision_unavailable');
    });
  }

  it('S20, S21: fails closed with decision_unavailable when the service hangs past the timeout', async () => {
    server.use(
      http.post(`${SERVICE}/v1/decisions`, async () => {
        await delay('infinite');
        return HttpResponse.json(allowAnswer());
      }),
    );
    const started = performance.now();
    const error = await failure(client({ timeoutMs: 50 }).decide(input));
    expect(error.code).toBe('decision_unavailable');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('S20: fails closed when the headers arrive but the body stalls', async () => {
    server.use(
      http.post(`${SERVICE}/v1/decisions`, () => {
        const stream = new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"decisionId":'));
          },
        });
        return new HttpResponse(stream, { headers: { 'content-type': 'application/json' } });
      }),
    );
    const error = await failure(client({ timeoutMs: 50 }).decide(input));
    expect(error.code).toBe('decision_unavailable');
  });

  it('reports the status and service code of a 4xx without retrying it', async () => {
    let calls = 0;
    server.use(
      http.post(`${SERVICE}/v1/decisions`, () => {
        calls += 1;
        return HttpResponse.json({ error: { code: 'invalid_request', message: 'bad' } }, { status: 400 });
      }),
    );
    const error = await failure(client().decide(input));
    expect([error.code, error.status, error.serviceCode, calls]).toEqual([
      'invalid_request',
      400,
      'invalid_request',
      1,
    ]);
    server.use(
      http.post(`${SERVICE}/v1/decisions`, () => {
        calls += 1;
        return HttpResponse.json({ error: { code: 'conflict', message: 'in progress' } }, { status: 409 });
      }),
    );
    const conflict = await failure(client().decide(input));
    expect([conflict.code, conflict.status, conflict.serviceCode, calls]).toEqual([
      'decision_unavailable',
      409,
      'conflict',
      2,
    ]);
  });

  it('passes a 400 invalid_request on with the details of a field of the wrong type (issue 22)', async () => {
    const details = {
      field: 'transaction.amount',
      policyId: 'fresh-check',
      expected: 'number',
      actual: 'string',
      policyVersion: 'v1',
    };
    server.use(
      http.post(`${SERVICE}/v1/decisions`, () =>
        HttpResponse.json(
          { error: { code: 'invalid_request', message: 'transaction.amount must be a number', details } },
          { status: 400 },
        ),
      ),
    );
    const error = await failure(client().decide(input));
    expect([error.code, error.status, error.message, error.details]).toEqual([
      'invalid_request',
      400,
      'transaction.amount must be a number',
      details,
    ]);
  });

  it('rejects an input without subject id or action name before any call', async () => {
    const error = await failure(client().decide({ subject: { id: '' }, action: { name: 'x' } }));
    expect(error.code).toBe('invalid_argument');
  });
});

describe('request validation (protocol JSON Schemas)', () => {
  it('refuses a body the service would refuse, naming the path, without a call', async () => {
    const error = await failure(
      client().decide({
        subject: { id: 'u_1', userId: 'typo' } as never,
        action: { name: 'payments.transfer' },
      }),
    );
    expect(error.code).toBe('invalid_argument');
    expect(error.message).toContain('/subject');
    const geo = await failure(client().decide({ ...input, context: { geo: { country: 'France' } } }));
    expect(geo.message).toContain('/context/geo/country');
  });
});
