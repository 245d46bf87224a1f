/**
 * runWithStepUp() (the flow under useStepUp()) in Node, with `onStepUp` standing in for the
 * widget and `context: false`: which outcomes of a fetcher count as a Stepgate step-up answer
 * (docs/design/wire-contract.md), the single retry with the token, and what is passed through.
 */
import { formatStepUpChallenge, type StepUpInfo, type VerifyAnswer } from '@stepgate/protocol';
import { StepUpCancelledError } from '@stepgate/sdk-core';
import { describe, expect, it, vi } from 'vitest';
import { runWithStepUp, type StepUpAttempt } from './run-with-step-up.js';

const stepUp: StepUpInfo = {
  challengeId: 'chl_1',
  challengeUrl: 'https://bank.example/stepgate/v1/challenges/chl_1',
  acr: 'urn:stepgate:aal2',
  maxAge: 0,
  methods: ['totp'],
  expiresAt: '2030-01-01T00:00:00.000Z',
};
const body = { error: { code: 'insufficient_user_authentication', message: 'Step up first.' }, stepUp };
const answer: VerifyAnswer = {
  token: 'tok_1',
  acr: 'urn:stepgate:aal2',
  amr: ['otp'],
  expiresAt: '2030-01-01T00:00:00.000Z',
};
const stepUpResponse = () =>
  new Response(JSON.stringify(body), {
    status: 401,
    headers: {
      'content-type': 'application/json',
      'www-authenticate': formatStepUpChallenge({
        acr: stepUp.acr,
        maxAge: 0,
        challengeId: stepUp.challengeId,
      }),
    },
  });

/** A fetcher that answers `first` on its first run and `second` on the retry, recording each attempt. */
function fetcher(first: () => unknown, second: () => unknown = () => 'done') {
  const attempts: StepUpAttempt[] = [];
  const fn = vi.fn(async (attempt: StepUpAttempt, ..._args: unknown[]) => {
    attempts.push(attempt);
    const outcome = attempts.length === 1 ? first() : second();
    if (outcome instanceof Error) throw outcome;
    return outcome;
  });
  return { fn, attempts };
}

const handler = () => vi.fn(async (_challenge: StepUpInfo, _options: { signal: AbortSignal }) => answer);
const run = (fn: Parameters<typeof runWithStepUp>[0], onStepUp = handler()) =>
  runWithStepUp(fn, ['a', 1], new AbortController().signal, { context: false, onStepUp }).then((value) => ({
    value,
    onStepUp,
  }));

describe('runWithStepUp: what counts as a step-up answer', () => {
  it('a returned 401 Response with our body: the challenge runs, then the fetcher runs once more with Step-Up-Token and its own arguments (S26)', async () => {
    const { fn, attempts } = fetcher(stepUpResponse);
    const { value, onStepUp } = await run(fn);
    expect(value).toBe('done');
    expect(onStepUp).toHaveBeenCalledOnce();
    expect(onStepUp.mock.calls[0]?.[0]).toEqual(stepUp);
    expect(fn.mock.calls.map((c) => c.slice(1))).toEqual([
      ['a', 1],
      ['a', 1],
    ]);
    expect(attempts.map((a) => [a.retry, a.token, a.headers])).toEqual([
      [false, undefined, {}],
      [true, 'tok_1', { 'Step-Up-Token': 'tok_1' }],
    ]);
    expect(attempts[1]?.answer).toEqual(answer);
  });

  it('a thrown error carrying the Response (ky HTTPError shape) and a returned or thrown parsed body (server action) are step-ups too', async () => {
    for (const first of [
      () => Object.assign(new Error('HTTP 401'), { response: stepUpResponse() }),
      () => body,
      () => Object.assign(new Error('step up'), body),
    ]) {
      const { fn } = fetcher(first);
      const { value, onStepUp } = await run(fn);
      expect(value).toBe('done');
      expect(onStepUp).toHaveBeenCalledOnce();
    }
  });

  it('a header-only answer (RFC 9470 with step_up_challenge, no JSON body): the challenge URL is the proxy on the response’s origin', async () => {
    const headerOnly = new Response(null, {
      status: 401,
      headers: { 'www-authenticate': formatStepUpChallenge({ acr: stepUp.acr, challengeId: 'chl_2' }) },
    });
    Object.defineProperty(headerOnly, 'url', { value: 'https://bank.example/api/transfers' });
    const { fn } = fetcher(() => headerOnly);
    const { onStepUp } = await run(fn);
    expect(onStepUp.mock.calls[0]?.[0]).toMatchObject({
      challengeId: 'chl_2',
      challengeUrl: 'https://bank.example/stepgate/v1/challenges/chl_2',
    });
  });

  it('passes through what is not ours: a success, another error, a plain 401, and another provider’s step-up (Entra insufficient_claims)', async () => {
    const entra = new Response('{}', {
      status: 401,
      headers: {
        'content-type': 'application/json',
        'www-authenticate': 'Bearer error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnt9fQ"',
      },
    });
    const plain401 = new Response('{"error":{"code":"unauthorized"}}', {
      status: 401,
      headers: { 'content-type': 'application/json' },
    });
    for (const outcome of [{ ok: true }, entra, plain401]) {
      const { fn } = fetcher(() => outcome);
      const { value, onStepUp } = await run(fn);
      expect(value).toBe(outcome);
      expect(onStepUp).not.toHaveBeenCalled();
      expect(fn).toHaveBeenCalledOnce();
    }
    const failure = new TypeError('network down');
    const { fn } = fetcher(() => failure);
    await expect(run(fn)).rejects.toBe(failure);
  });
});

describe('runWithStepUp: one retry, cancel', () => {
  it('a second step-up answer to the retry is returned as it is: no second challenge (docs/design/flows.md "A step-up")', async () => {
    const again = stepUpResponse();
    const { fn } = fetcher(stepUpResponse, () => again);
    const { value, onStepUp } = await run(fn);
    expect(value).toBe(again);
    expect(onStepUp).toHaveBeenCalledOnce();
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('Cancel: the StepUpCancelledError reaches the caller and the fetcher does not run again (S26)', async () => {
    const { fn } = fetcher(stepUpResponse);
    const cancelled = new StepUpCancelledError();
    await expect(
      run(
        fn,
        vi.fn(async () => Promise.reject(cancelled)),
      ),
    ).rejects.toBe(cancelled);
    expect(fn).toHaveBeenCalledOnce();
  });
});
