import { expect } from '@open-wc/testing';
import ky, { HTTPError, type Options } from 'ky';
import { HttpResponse, http } from 'msw';
import { challenge, contextOf, startWorker, stepUpResponse, verifyAnswer, worker } from '../test/fixtures.js';
import { describeFlowContract } from '../test/flow-contract.js';
import type { StepUpError } from './errors.js';
import { setForeignStepUpHandler, setStepUpHandler } from './flow/handlers.js';
import { resetStepUpQueue } from './flow/step-up-queue.js';
import { stepUpHooks } from './ky.js';

function guardedRoute(path: string, alwaysStepUp = false) {
  const seen: { token: string | null; body: string }[] = [];
  worker.use(
    http.post(path, async ({ request }) => {
      contextOf(request);
      const token = request.headers.get('Step-Up-Token');
      seen.push({ token, body: await request.text() });
      if (!alwaysStepUp && token === 'tok_ky') return HttpResponse.json({ done: true });
      return stepUpResponse(challenge('chl_ky'));
    }),
  );
  return seen;
}

describeFlowContract('stepUpHooks (ky 2)', (options) => {
  const api = ky.create({ hooks: stepUpHooks(options), throwHttpErrors: false });
  return (path, init) => api(path, init as Options);
});

describe('stepUpHooks (ky 2), ky specifics', () => {
  before(startWorker);
  afterEach(() => {
    worker.resetHandlers();
    resetStepUpQueue();
    setStepUpHandler(null);
    setForeignStepUpHandler(null);
  });

  it('does not retry a second step-up answer: ky throws its HTTPError with the 401', async () => {
    const seen = guardedRoute('/api/ky/transfer', true);
    let calls = 0;
    setStepUpHandler(async () => {
      calls++;
      return verifyAnswer('tok_ky');
    });
    const api = ky.create({ prefix: '/api/ky', hooks: stepUpHooks() });
    const error = await api.post('transfer', { json: {} }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(HTTPError);
    expect((error as HTTPError).response.status).to.equal(401);
    expect(calls).to.equal(1);
    expect(seen).to.have.length(2);
  });

  it('needs retry.limit ≥ 1: with retry 0 a step-up fails as unsupported before any dialog', async () => {
    guardedRoute('/api/ky/transfer');
    let calls = 0;
    setStepUpHandler(async () => {
      calls++;
      return verifyAnswer('tok_ky');
    });
    const api = ky.create({ prefix: '/api/ky', retry: 0, hooks: stepUpHooks() });
    const error = await api.post('transfer', { json: {} }).catch((e: unknown) => e);
    expect((error as StepUpError).code).to.equal('unsupported');
    expect(calls).to.equal(0);
  });
});
