import { expect } from '@open-wc/testing';
import { HttpResponse, http } from 'msw';
import { challenge, startWorker, stepUpResponse, verifyAnswer, worker } from '../../test/fixtures.js';
import type { BridgeEnvelope } from '../bridge/post-message.js';
import { StepUpCancelledError } from '../errors.js';
import { createStepUpFetch } from './create-step-up-fetch.js';
import { setStepUpHandler } from './handlers.js';
import { resetStepUpQueue } from './step-up-queue.js';

const g = globalThis as unknown as Record<string, unknown>;

function fakeAndroid(): BridgeEnvelope[] {
  const received: BridgeEnvelope[] = [];
  g.StepgateAndroid = { postMessage: (json: string) => received.push(JSON.parse(json) as BridgeEnvelope) };
  return received;
}

describe('the flow inside a webview', () => {
  before(startWorker);
  beforeEach(() => {
    worker.use(
      http.post('/api/wv', ({ request }) =>
        request.headers.get('Step-Up-Token') === 'tok_wv'
          ? HttpResponse.json({ ok: true })
          : stepUpResponse(challenge('chl_wv')),
      ),
    );
  });
  afterEach(() => {
    delete g.StepgateAndroid;
    worker.resetHandlers();
    resetStepUpQueue();
    setStepUpHandler(null);
  });

  it('tells the native side: challenge started, then completed with the token', async () => {
    const received = fakeAndroid();
    setStepUpHandler(async () => verifyAnswer('tok_wv'));
    const res = await createStepUpFetch()('/api/wv', { method: 'POST' });
    expect(res.status).to.equal(200);
    expect(received.map((m) => m.type)).to.deep.equal(['challenge_started', 'challenge_completed']);
    expect(received[0]).to.include({ challengeId: 'chl_wv', acr: 'urn:stepgate:aal2' });
    expect(received[1]).to.include({ challengeId: 'chl_wv', token: 'tok_wv' });
  });

  it('tells the native side when the user cancels, or when the step-up fails', async () => {
    const received = fakeAndroid();
    setStepUpHandler(async () => {
      throw new StepUpCancelledError();
    });
    await createStepUpFetch()('/api/wv', { method: 'POST' }).catch(() => undefined);
    setStepUpHandler(async () => {
      throw new Error('network down');
    });
    await createStepUpFetch()('/api/wv', { method: 'POST' }).catch(() => undefined);
    expect(received.map((m) => m.type)).to.deep.equal([
      'challenge_started',
      'challenge_cancelled',
      'challenge_started',
      'challenge_error',
    ]);
    expect(received[3]).to.include({ code: 'failed' });
  });

  it('posts nothing with bridge: false', async () => {
    const received = fakeAndroid();
    setStepUpHandler(async () => verifyAnswer('tok_wv'));
    await createStepUpFetch({ bridge: false })('/api/wv', { method: 'POST' });
    expect(received).to.deep.equal([]);
  });
});
