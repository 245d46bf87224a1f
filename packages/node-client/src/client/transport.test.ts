import { delay, HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { API_KEY, allowAnswer, SERVICE, viaMsw } from '../../test/support/fixtures.js';
import { StepgateClientError } from '../errors.js';
import type { StepgateOptions } from '../options.js';
import { createStepgate } from './create-stepgate.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  vi.useRealTimers();
});
afterAll(() => server.close());

const input = { subject: { id: 'u_1' }, action: { name: 'payments.transfer' } };
const client = (extra: Partial<StepgateOptions> = {}) =>
  createStepgate({ serviceUrl: SERVICE, apiKey: API_KEY, timeoutMs: 5_000, ...viaMsw, ...extra });
/** Moves the clock the breaker reads (cockatiel uses Date.now) past its half-open delay. */
const pastHalfOpen = () => vi.setSystemTime(Date.now() + 61_000);
const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (e: unknown) => (e instanceof StepgateClientError ? e.code : String(e)),
  );

describe('circuit breaker (S21)', () => {
  it('S21: opens after consecutive failures; then fails at once without calling the service', async () => {
    let calls = 0;
    server.use(
      http.post(`${SERVICE}/v1/decisions`, () => {
        calls += 1;
        return new HttpResponse(null, { status: 500 });
      }),
    );
    const stepgate = client({ retry: 0, breaker: { failures: 3, halfOpenAfterMs: 60_000 } });
    for (let i = 0; i < 3; i += 1) expect(await code(stepgate.decide(input))).toBe('decision_unavailable');
    expect(stepgate.breakerState()).toBe('open');
    server.use(http.post(`${SERVICE}/v1/decisions`, () => HttpResponse.json(allowAnswer())));
    expect(await code(stepgate.decide(input))).toBe('decision_unavailable');
    expect(calls).toBe(3);
  });

  it('S21: half-open lets one trial call through; success closes the breaker', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    server.use(http.post(`${SERVICE}/v1/decisions`, () => HttpResponse.error()));
    const stepgate = client({ retry: 0, breaker: { failures: 2, halfOpenAfterMs: 60_000 } });
    await code(stepgate.decide(input));
    await code(stepgate.decide(input));
    expect(stepgate.breakerState()).toBe('open');
    pastHalfOpen();
    server.use(http.post(`${SERVICE}/v1/decisions`, () => HttpResponse.json(allowAnswer())));
    expect(await code(stepgate.decide(input))).toBe('resolved');
    expect(stepgate.breakerState()).toBe('closed');
  });

  it('S21: a failed trial call in half-open opens the breaker again', async () => {
    let calls = 0;
    server.use(
      http.post(`${SERVICE}/v1/decisions`, () => {
        calls += 1;
        return HttpResponse.json({ decision: 'maybe' });
      }),
    );
    vi.useFakeTimers({ toFake: ['Date'] });
    const stepgate = client({ retry: 0, breaker: { failures: 1, halfOpenAfterMs: 60_000 } });
    await code(stepgate.decide(input));
    pastHalfOpen();
    expect(await code(stepgate.decide(input))).toBe('decision_unavailable');
    expect(stepgate.breakerState()).toBe('open');
    expect(await code(stepgate.decide(input))).toBe('decision_unavailable');
    expect(calls).toBe(2);
  });

  it('does not count a 4xx (the caller was wrong, the service is healthy)', async () => {
    server.use(
      http.put(`${SERVICE}/v1/users/u_1`, () =>
        HttpResponse.json({ error: { code: 'invalid_request', message: 'x' } }, { status: 400 }),
      ),
    );
    const stepgate = client({ breaker: { failures: 1 } });
    expect(await code(stepgate.upsertUser('u_1', { email: 'ann@example.com' }))).toBe('service_rejected');
    expect(stepgate.breakerState()).toBe('closed');
  });
});

describe('retries', () => {
  function recordKeys(answers: Array<() => Response>) {
    const keys: Array<string | null> = [];
    const bodies: unknown[] = [];
    server.use(
      http.post(`${SERVICE}/v1/decisions`, async ({ request }) => {
        keys.push(request.headers.get('idempotency-key'));
        bodies.push(await request.json());
        return answers[Math.min(keys.length, answers.length) - 1]!();
      }),
    );
    return { keys, bodies };
  }

  it('S17: retries a decision carrying a token after a 503, with the SAME Idempotency-Key', async () => {
    const { keys, bodies } = recordKeys([
      () => new HttpResponse(null, { status: 503 }),
      () => HttpResponse.json(allowAnswer()),
    ]);
    const verdict = await client({ retry: 2 }).decide({ ...input, stepUpToken: 'eyJ.a.b' });
    expect(verdict.decision).toBe('allow');
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);
    expect(bodies[1]).toEqual(bodies[0]);
  });

  it('S17: keeps a caller-chosen Idempotency-Key across retries after a network error', async () => {
    const { keys } = recordKeys([() => HttpResponse.error(), () => HttpResponse.json(allowAnswer())]);
    await client({ retry: 1 }).decide({ ...input, stepUpToken: 'eyJ.a.b' }, { idempotencyKey: 'req-42' });
    expect(keys).toEqual(['req-42', 'req-42']);
  });

  it('gives each decide() call its own Idempotency-Key', async () => {
    const { keys } = recordKeys([() => HttpResponse.json(allowAnswer())]);
    const stepgate = client();
    await stepgate.decide(input);
    await stepgate.decide(input);
    expect(keys[0]).not.toBe(keys[1]);
  });

  it('stops after the retry limit and fails closed', async () => {
    const { keys } = recordKeys([() => new HttpResponse(null, { status: 502 })]);
    expect(await code(client({ retry: 2 }).decide(input))).toBe('decision_unavailable');
    expect(keys).toHaveLength(3);
  });

  it('does not retry a 500 or a timeout', async () => {
    const { keys } = recordKeys([() => new HttpResponse(null, { status: 500 })]);
    expect(await code(client({ retry: 2 }).decide(input))).toBe('decision_unavailable');
    expect(keys).toHaveLength(1);
    let slow = 0;
    server.use(
      http.post(`${SERVICE}/v1/decisions`, async () => {
        slow += 1;
        await delay('infinite');
        return HttpResponse.json(allowAnswer());
      }),
    );
    expect(await code(client({ retry: 2, timeoutMs: 100 }).decide(input))).toBe('decision_unavailable');
    expect(slow).toBe(1);
  });

  it('never retries enrollment ticket creation (not safe to repeat)', async () => {
    let calls = 0;
    server.use(
      http.post(`${SERVICE}/v1/enrollments`, () => {
        calls += 1;
        return new HttpResponse(null, { status: 503 });
      }),
    );
    expect(await code(client({ retry: 3 }).createEnrollmentTicket('u_1', { id: 'u_1' }))).toBe(
      'service_unavailable',
    );
    expect(calls).toBe(1);
  });

  it('retries a GET after a 503', async () => {
    let calls = 0;
    server.use(
      http.get(`${SERVICE}/v1/users/u_1/factors`, () => {
        calls += 1;
        return calls === 1 ? new HttpResponse(null, { status: 503 }) : HttpResponse.json({ factors: [] });
      }),
    );
    expect(await client({ retry: 1 }).listFactors('u_1')).toEqual({ factors: [] });
    expect(calls).toBe(2);
  });
});
