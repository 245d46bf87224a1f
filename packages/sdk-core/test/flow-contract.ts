/**
 * The step-up flow's contract, run against every adapter (the fetch wrapper and the ky hooks):
 * the same scenarios, the same expectations (CONTRIBUTING.md "adapters share one suite").
 */
import { expect } from '@open-wc/testing';
import { HttpResponse, http } from 'msw';
import { StepUpCancelledError, StepUpError } from '../src/errors.js';
import { setForeignStepUpHandler, setStepUpHandler } from '../src/flow/handlers.js';
import type { StepUpFlowOptions } from '../src/flow/options.js';
import { resetStepUpQueue } from '../src/flow/step-up-queue.js';
import {
  challenge,
  contextOf,
  sleep,
  startWorker,
  stepUpResponse,
  verifyAnswer,
  worker,
} from './fixtures.js';

/** An adapter under test, reduced to fetch's shape; HTTP error statuses resolve, never throw. */
export type FlowClient = (path: string, init?: RequestInit) => Promise<Response>;

/** A guarded route: answers a step-up until it sees the right token, and records what it got. */
function guardedRoute(path: string, options: { id?: string; token?: string; alwaysStepUp?: boolean } = {}) {
  const seen: { token: string | null; context: string | null; body: string }[] = [];
  const id = options.id ?? 'chl_one';
  worker.use(
    http.post(path, async ({ request }) => {
      const token = request.headers.get('Step-Up-Token');
      seen.push({ token, context: request.headers.get('Step-Up-Context'), body: await request.text() });
      contextOf(request);
      if (!options.alwaysStepUp && token === (options.token ?? `tok_${id}`))
        return HttpResponse.json({ done: true });
      return stepUpResponse(challenge(id));
    }),
  );
  return seen;
}

/**
 * Declares the contract suite for one adapter.
 *
 * @param name - The suite title.
 * @param makeClient - Builds the adapter with the given flow options.
 */
export function describeFlowContract(
  name: string,
  makeClient: (options?: StepUpFlowOptions) => FlowClient,
): void {
  describe(`${name}: step-up flow contract`, () => {
    before(startWorker);
    afterEach(() => {
      worker.resetHandlers();
      resetStepUpQueue();
      setStepUpHandler(null);
      setForeignStepUpHandler(null);
    });

    it('one step-up answer → one handler call → one retry with the token (S26)', async () => {
      const seen = guardedRoute('/api/transfer');
      const calls: string[] = [];
      setStepUpHandler(async (info) => {
        calls.push(info.challengeId);
        expect(info.challengeUrl).to.equal(`${location.origin}/stepgate/v1/challenges/chl_one`);
        return verifyAnswer(`tok_${info.challengeId}`);
      });
      const api = makeClient();
      const res = await api('/api/transfer', { method: 'POST', body: '{"amount":900}' });
      expect(res.status).to.equal(200);
      expect(await res.json()).to.deep.equal({ done: true });
      expect(calls).to.deep.equal(['chl_one']);
      expect(seen.map((s) => s.token)).to.deep.equal([null, 'tok_chl_one']);
      expect(seen.map((s) => s.body)).to.deep.equal(['{"amount":900}', '{"amount":900}']);
      expect(seen.every((s) => s.context !== null)).to.equal(true);
    });

    it('returns a second step-up answer after the retry without retrying again', async () => {
      const seen = guardedRoute('/api/transfer', { alwaysStepUp: true });
      let calls = 0;
      setStepUpHandler(async (info) => {
        calls++;
        return verifyAnswer(`tok_${info.challengeId}`);
      });
      const res = await makeClient()('/api/transfer', { method: 'POST', body: 'x' });
      expect(res.status).to.equal(401);
      expect(calls).to.equal(1);
      expect(seen).to.have.length(2);
    });

    it('queues concurrent step-ups: one dialog at a time', async () => {
      guardedRoute('/api/a', { id: 'chl_a' });
      guardedRoute('/api/b', { id: 'chl_b' });
      let open = 0;
      let maxOpen = 0;
      const order: string[] = [];
      setStepUpHandler(async (info) => {
        open++;
        maxOpen = Math.max(maxOpen, open);
        order.push(`start ${info.challengeId}`);
        await sleep(30);
        order.push(`end ${info.challengeId}`);
        open--;
        return verifyAnswer(`tok_${info.challengeId}`);
      });
      const api = makeClient();
      const [a, b] = await Promise.all([
        api('/api/a', { method: 'POST' }),
        api('/api/b', { method: 'POST' }),
      ]);
      expect([a.status, b.status]).to.deep.equal([200, 200]);
      expect(maxOpen).to.equal(1);
      expect(order).to.have.length(4);
      expect(order[0]!.startsWith('start')).to.equal(true);
      expect(order[1]!.startsWith('end')).to.equal(true);
    });

    it('shares one handler run between requests that carry the same challenge id', async () => {
      const seen = guardedRoute('/api/same', { id: 'chl_same' });
      let calls = 0;
      setStepUpHandler(async (info) => {
        calls++;
        await sleep(20);
        return verifyAnswer(`tok_${info.challengeId}`);
      });
      const api = makeClient();
      const results = await Promise.all([1, 2, 3].map(() => api('/api/same', { method: 'POST' })));
      expect(results.map((r) => r.status)).to.deep.equal([200, 200, 200]);
      expect(calls).to.equal(1);
      expect(seen.filter((s) => s.token === 'tok_chl_same')).to.have.length(3);
    });

    it('rejects with StepUpCancelledError when the user cancels, and does not retry', async () => {
      const seen = guardedRoute('/api/transfer');
      setStepUpHandler(async () => {
        throw new StepUpCancelledError();
      });
      const error = await makeClient()('/api/transfer', { method: 'POST' }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(StepUpCancelledError);
      expect((error as StepUpError).code).to.equal('cancelled');
      expect(seen).to.have.length(1);
    });

    it('aborting the original request aborts the wait and the handler', async () => {
      guardedRoute('/api/transfer');
      const controller = new AbortController();
      let handlerSignal: AbortSignal | undefined;
      setStepUpHandler(
        (_info, { signal }) =>
          new Promise((_resolve, reject) => {
            handlerSignal = signal;
            signal.addEventListener('abort', () => reject(signal.reason));
            setTimeout(() => controller.abort(), 10);
          }),
      );
      const error = await makeClient()('/api/transfer', {
        method: 'POST',
        signal: controller.signal,
      }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(StepUpError);
      expect((error as StepUpError).code).to.equal('aborted');
      expect(handlerSignal?.aborted).to.equal(true);
    });

    it('a handler that ignores its signal cannot stall the queue once its caller aborted', async () => {
      guardedRoute('/api/hang', { id: 'chl_hang' });
      guardedRoute('/api/next', { id: 'chl_next' });
      let hanging: () => void = () => undefined;
      const handlerHangs = new Promise<void>((resolve) => (hanging = resolve));
      setStepUpHandler((info) => {
        if (info.challengeId !== 'chl_hang') return Promise.resolve(verifyAnswer(`tok_${info.challengeId}`));
        hanging();
        return new Promise(() => undefined);
      });
      const api = makeClient();
      const controller = new AbortController();
      const hung = api('/api/hang', { method: 'POST', signal: controller.signal }).catch((e: unknown) => e);
      await handlerHangs;
      const next = api('/api/next', { method: 'POST' });
      await sleep(10);
      controller.abort();
      expect(((await hung) as StepUpError).code).to.equal('aborted');
      expect((await next).status).to.equal(200);
    });

    it('fails with no_handler when no step-up handler is registered', async () => {
      guardedRoute('/api/transfer');
      const error = await makeClient()('/api/transfer', { method: 'POST' }).catch((e: unknown) => e);
      expect((error as StepUpError).code).to.equal('no_handler');
    });

    it('wraps a failing handler as failed, with the cause', async () => {
      guardedRoute('/api/transfer');
      const boom = new Error('boom');
      setStepUpHandler(async () => {
        throw boom;
      });
      const error = (await makeClient()('/api/transfer', { method: 'POST' }).catch(
        (e: unknown) => e,
      )) as StepUpError;
      expect(error.code).to.equal('failed');
      expect(error.cause).to.equal(boom);
    });

    it('hands other providers’ dialects to the foreign handler', async () => {
      worker.use(
        http.post(
          '/api/entra',
          () =>
            new HttpResponse(null, {
              status: 401,
              headers: {
                'WWW-Authenticate':
                  'Bearer realm="", error="insufficient_claims", error_description="step up", claims="eyJhY2Nlc3NfdG9rZW4iOnt9fQ"',
              },
            }),
        ),
      );
      setStepUpHandler(async () => {
        throw new Error('must not be called');
      });
      const api = makeClient();
      expect((await api('/api/entra', { method: 'POST', body: 'payload' })).status).to.equal(401);
      const dialects: string[] = [];
      setForeignStepUpHandler(async (parsed, _response, { request }) => {
        dialects.push(parsed.dialect);
        expect(await request.text()).to.equal('payload'); // an unused copy, to retry with
        return new Response('handled', { status: 299 });
      });
      const res = await api('/api/entra', { method: 'POST', body: 'payload' });
      expect(res.status).to.equal(299);
      expect(dialects).to.deep.equal(['entra']);
    });

    it('builds the challenge URL from the header when the answer has no JSON body', async () => {
      worker.use(
        http.post('/api/bare', ({ request }) =>
          request.headers.get('Step-Up-Token') === 'tok'
            ? HttpResponse.json({})
            : stepUpResponse(challenge('chl_bare'), { body: false }),
        ),
      );
      let url = '';
      setStepUpHandler(async (info) => {
        url = info.challengeUrl;
        return verifyAnswer('tok');
      });
      const res = await makeClient({ challengePrefix: '/auth' })('/api/bare', { method: 'POST' });
      expect(res.status).to.equal(200);
      expect(url).to.equal(`${location.origin}/auth/v1/challenges/chl_bare`);
    });

    it('buffers a ReadableStream body so the retry sends it again', async () => {
      const seen = guardedRoute('/api/upload');
      setStepUpHandler(async (info) => verifyAnswer(`tok_${info.challengeId}`));
      const body = new Blob(['streamed ', 'payload']).stream();
      const res = await makeClient()('/api/upload', {
        method: 'POST',
        body,
        duplex: 'half',
      } as RequestInit);
      expect(res.status).to.equal(200);
      expect(seen.map((s) => s.body)).to.deep.equal(['streamed payload', 'streamed payload']);
    });

    it('leaves requests that are not sensitive untouched', async () => {
      let context: string | null = 'unset';
      worker.use(
        http.get('/public/info', ({ request }) => {
          context = request.headers.get('Step-Up-Context');
          return stepUpResponse(challenge('chl_x'));
        }),
      );
      setStepUpHandler(async () => {
        throw new Error('must not be called');
      });
      const res = await makeClient({ sensitive: '/api/' })('/public/info');
      expect(res.status).to.equal(401);
      expect(context).to.equal(null);
    });

    it('refuses a challengeUrl on another origin (origin_not_allowed): the handler never runs, nothing goes there (issue 15)', async () => {
      const sent: string[] = [];
      worker.use(
        http.post('/api/phished', () =>
          stepUpResponse(
            challenge('chl_evil', { challengeUrl: 'https://evil.example/v1/challenges/chl_evil' }),
          ),
        ),
        http.all('https://evil.example/*', ({ request }) => {
          sent.push(request.url);
          return HttpResponse.json({});
        }),
      );
      let calls = 0;
      setStepUpHandler(async (info) => {
        calls++;
        return verifyAnswer(`tok_${info.challengeId}`);
      });
      // A Response as the outcome would be a test failure: say so in words (a Response does not serialise).
      const outcome = (r: Response) => `answered ${r.status}`;
      const error = await makeClient()('/api/phished', { method: 'POST' }).then(outcome, (e: unknown) => e);
      expect(error).to.be.instanceOf(StepUpError);
      expect((error as StepUpError).code).to.equal('origin_not_allowed');
      expect((error as StepUpError).challengeId).to.equal('chl_evil');
      expect([calls, sent.length]).to.deep.equal([0, 0]);
      // Allow-listing one origin does not allow another.
      const other = await makeClient({ allowedOrigins: ['https://auth.example.test'] })('/api/phished', {
        method: 'POST',
      }).then(outcome, (e: unknown) => e);
      expect((other as StepUpError).code).to.equal('origin_not_allowed');
      expect(calls).to.equal(0);
    });

    it('follows a challengeUrl on an origin of allowedOrigins (issue 15)', async () => {
      const url = 'https://auth.example.test/v1/challenges/chl_listed';
      worker.use(
        http.post('/api/listed', ({ request }) =>
          request.headers.get('Step-Up-Token') === 'tok_chl_listed'
            ? HttpResponse.json({ done: true })
            : stepUpResponse(challenge('chl_listed', { challengeUrl: url })),
        ),
      );
      const urls: string[] = [];
      setStepUpHandler(async (info) => {
        urls.push(info.challengeUrl);
        return verifyAnswer(`tok_${info.challengeId}`);
      });
      const api = makeClient({ allowedOrigins: ['https://Auth.Example.test/'] });
      const res = await api('/api/listed', { method: 'POST' });
      expect(res.status).to.equal(200);
      expect(urls).to.deep.equal([url]);
    });

    it('checks allowedOrigins at creation: a path, a wildcard or another scheme is a TypeError', () => {
      for (const bad of [
        'https://auth.example.test/stepgate',
        '*',
        'javascript:alert(1)',
        'auth.example.test',
      ]) {
        expect(() => makeClient({ allowedOrigins: [bad] }), bad).to.throw(TypeError, /allowedOrigins\[0\]/);
      }
    });

    it('stores the deviceToken of a verify answer and sends it in later contexts (S25)', async () => {
      const seen = guardedRoute('/api/transfer');
      setStepUpHandler(async (info) =>
        verifyAnswer(`tok_${info.challengeId}`, { deviceToken: 'dev.tok.en' }),
      );
      localStorage.removeItem('stepgate:device-token');
      await makeClient()('/api/transfer', { method: 'POST' });
      expect(localStorage.getItem('stepgate:device-token')).to.equal('dev.tok.en');
      const decode = (h: string | null) => JSON.parse(atob(h!.replace(/-/g, '+').replace(/_/g, '/')));
      expect(decode(seen[0]!.context).deviceToken).to.equal(undefined);
      expect(decode(seen[1]!.context).deviceToken).to.equal('dev.tok.en');
      localStorage.removeItem('stepgate:device-token');
    });
  });
}
