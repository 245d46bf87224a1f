import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, SERVICE, stepUpAnswer, viaMsw } from '../../test/support/fixtures.js';
import { createStepgate } from './create-stepgate.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const stepgate = createStepgate({ serviceUrl: SERVICE, apiKey: API_KEY, timeoutMs: 5_000, ...viaMsw });
const subject = { id: 'u_1', sessionId: 's_1', acr: 'aal1' };
const factor = { id: 'fac_1', method: 'totp', maxLevel: 'aal2', createdAt: '2030-01-01T00:00:00Z' };

describe('removeFactor()', () => {
  it('S31: returns the step-up a removal needs, then the removed factor when called with its token', async () => {
    const bodies: unknown[] = [];
    const { requirement, challenge } = stepUpAnswer();
    server.use(
      http.delete(`${SERVICE}/v1/users/u_1/factors/fac_1`, async ({ request }) => {
        const body = (await request.json()) as { stepUpToken?: string };
        bodies.push(body);
        return HttpResponse.json(
          body.stepUpToken ? { removed: factor } : { decision: 'step_up', requirement, challenge },
        );
      }),
    );
    const first = await stepgate.removeFactor('u_1', 'fac_1', subject);
    expect('decision' in first && first.challenge.id).toBe('chl_abc');
    const second = await stepgate.removeFactor('u_1', 'fac_1', subject, { stepUpToken: 'eyJ.a.b' });
    expect(second).toEqual({ removed: factor });
    expect(bodies).toEqual([{ subject }, { subject, stepUpToken: 'eyJ.a.b' }]);
  });

  it('treats a malformed removal answer as service_unavailable and is never retried', async () => {
    let calls = 0;
    server.use(
      http.delete(`${SERVICE}/v1/users/u_1/factors/fac_1`, () => {
        calls += 1;
        return HttpResponse.json({ removed: { id: 'fac_1', method: 'carrier_pigeon' } });
      }),
    );
    await expect(stepgate.removeFactor('u_1', 'fac_1', subject)).rejects.toMatchObject({
      code: 'service_unavailable',
    });
    expect(calls).toBe(1);
  });
});
