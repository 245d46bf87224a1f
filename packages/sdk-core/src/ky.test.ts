import { expect } from '@open-wc/testing';
import ky, { HTTPError } from 'ky';
import { HttpResponse, http } from 'msw';
import { challenge, contextOf, startWorker, stepUpResponse, verifyAnswer, worker } from '../test/fixtures.js';
import { StepUpCancelledError, type StepUpError } from './errors.js';
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

describe('stepUpHooks (ky 2)', () => {
  before(startWorker);
  afterEach(() => {
    worker.resetHandlers();
    resetStepUpQueue();
    setStepUpHandler(null);
    setForeignStepUpHandler(null);
  });

  it('one step-up answer → one handler call → one ky.retry() with the token', async () => {
    const seen = guardedRoute('/api/ky/transfer');
    let calls = 0;
    setStepUpHandler(async () => {
      calls++;
      return verifyAnswer('tok_ky');
    });
    const api = ky.create({ prefix: '/api/ky', hooks: stepUpHooks() });
    const body = await api.post('transfer', { json: { amount: 900 } }).json();
    expect(body).to.deep.equal({ done: true });
    expect(calls).to.equal(1);
    expect(seen.map((s) => s.token)).to.deep.equal([null, 'tok_ky']);
    expect(seen.map((s) => s.body)).to.deep.equal(['{"amount":900}', '{"amount":900}']);
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

  it('passes a cancel through as StepUpCancelledError', async () => {
    guardedRoute('/api/ky/transfer');
    setStepUpHandler(async () => {
      throw new StepUpCancelledError();
    });
    const api = ky.create({ prefix: '/api/ky', hooks: stepUpHooks() });
    const error = await api.post('transfer', { json: {} }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(StepUpCancelledError);
  });

  it('aborting through ky’s signal option aborts the wait and the handler', async () => {
    guardedRoute('/api/ky/transfer');
    const controller = new AbortController();
    let handlerSignal: AbortSignal | undefined;
    setStepUpHandler((_info, { signal }) => {
      handlerSignal = signal;
      setTimeout(() => controller.abort(), 10);
      return new Promise(() => undefined);
    });
    const api = ky.create({ prefix: '/api/ky', hooks: stepUpHooks() });
    const error = await api
      .post('transfer', { json: {}, signal: controller.signal })
      .catch((e: unknown) => e);
    expect((error as StepUpError).code).to.equal('aborted');
    expect(handlerSignal?.aborted).to.equal(true);
  });

  it('buffers a ReadableStream body so the retry sends it again', async () => {
    const seen = guardedRoute('/api/ky/upload');
    setStepUpHandler(async () => verifyAnswer('tok_ky'));
    const api = ky.create({ prefix: '/api/ky', hooks: stepUpHooks() });
    const res = await api.post('upload', { body: new Blob(['a ', 'stream']).stream() });
    expect(res.status).to.equal(200);
    expect(seen.map((s) => s.body)).to.deep.equal(['a stream', 'a stream']);
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

  it('hands other dialects to the foreign handler, whose Response replaces the answer', async () => {
    worker.use(
      http.get(
        '/api/ky/okta',
        () =>
          new HttpResponse(null, {
            status: 401,
            headers: {
              'WWW-Authenticate':
                'Bearer error="insufficient_user_authentication", acr_values="urn:okta:loa:2fa:any"',
            },
          }),
      ),
    );
    const dialects: string[] = [];
    setForeignStepUpHandler((parsed) => {
      dialects.push(parsed.dialect);
      return new Response('{"via":"foreign"}', {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
      });
    });
    const api = ky.create({ prefix: '/api/ky', hooks: stepUpHooks() });
    expect(await api.get('okta').json()).to.deep.equal({ via: 'foreign' });
    expect(dialects).to.have.length(1);
    expect(dialects[0]).to.not.equal('stepgate');
  });
});
