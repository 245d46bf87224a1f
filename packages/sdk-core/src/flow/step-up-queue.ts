/**
 * One dialog at a time: step-ups run one after another in arrival order, requests carrying the
 * same challenge id share one handler run, and each waiter can abort on its own. The handler's
 * signal aborts only when every waiter of its run has aborted.
 */
import type { StepUpInfo, VerifyAnswer } from '@stepgate/protocol';
import { detectWebview } from '../bridge/detect-webview.js';
import { postBridgeMessage } from '../bridge/post-message.js';
import { rememberDeviceToken } from '../context/device-store.js';
import { isStepUpError, StepUpError } from '../errors.js';
import { isAllowedOrigin, normalizeAllowedOrigins } from './allowed-origins.js';
import { getStepUpHandler } from './handlers.js';

interface Run {
  waiters: number;
  controller: AbortController;
  promise: Promise<VerifyAnswer>;
}

/** Options of {@link requestStepUp}. */
export interface RequestStepUpOptions {
  /** Aborts this caller's wait (the dialog closes once every caller sharing it aborted). */
  signal?: AbortSignal | undefined;
  /**
   * Post `challenge_*` messages to the native side when the page runs in a webview.
   * @defaultValue true
   */
  bridge?: boolean | undefined;
  /**
   * Origins besides the page's own that `challenge.challengeUrl` may point at.
   * @defaultValue `[]` — only the page's own origin
   */
  allowedOrigins?: readonly string[] | undefined;
  /**
   * A copy of the request that got the step-up answer, handed to the handler (the widget keeps it
   * for a "Continue with …" identity-provider step-up, which replays it after the return).
   */
  request?: Request | undefined;
}

const DONE_LIMIT = 16;
const DONE_MAX_MS = 5 * 60_000;
const pending = new Map<string, Run>();
const done = new Map<string, { answer: VerifyAnswer; until: number }>();
let tail: Promise<unknown> = Promise.resolve();

/**
 * Runs the registered step-up handler for `challenge`, queued behind any step-up already
 * showing, and shared with every other caller of the same challenge id (including one that
 * completed moments ago, until its token expires). A `deviceToken` in the answer is remembered.
 *
 * Before anything else, `challenge.challengeUrl` must be on the page's origin or in
 * `allowedOrigins`: the handler sends the challenge id, codes and WebAuthn responses there.
 *
 * @returns The verify answer; its `token` goes into the `Step-Up-Token` header.
 * @throws StepUpError `origin_not_allowed` (the challenge URL is elsewhere: the handler does not
 *   run), `no_handler` (none registered), `cancelled` (a {@link StepUpCancelledError}),
 *   `aborted` (this caller's signal fired), `failed` (the handler threw or answered without a token).
 * @throws TypeError for a malformed `allowedOrigins`.
 * @example
 * const { token } = await requestStepUp(body.stepUp, { signal });
 */
export function requestStepUp(
  challenge: StepUpInfo,
  options: RequestStepUpOptions = {},
): Promise<VerifyAnswer> {
  const id = challenge.challengeId;
  let allowed: readonly string[];
  try {
    allowed = normalizeAllowedOrigins(options.allowedOrigins);
  } catch (error) {
    return Promise.reject(error);
  }
  if (typeof challenge.challengeUrl !== 'string' || !isAllowedOrigin(challenge.challengeUrl, allowed)) {
    return Promise.reject(
      new StepUpError(
        'origin_not_allowed',
        `The challenge URL ${String(challenge.challengeUrl).slice(0, 200)} is not on this page's origin or in allowedOrigins.`,
        { challengeId: id },
      ),
    );
  }
  const finished = done.get(id);
  if (finished && finished.until > Date.now()) return Promise.resolve(finished.answer);
  let run = pending.get(id);
  if (!run) {
    run = startRun(challenge, options.bridge !== false, options.request);
    pending.set(id, run);
  }
  run.waiters++;
  return waitFor(run, options.signal, id);
}

function startRun(challenge: StepUpInfo, bridge: boolean, request: Request | undefined): Run {
  const id = challenge.challengeId;
  const controller = new AbortController();
  let run: Run | undefined;
  const promise = tail
    .then(() => runHandler(challenge, controller.signal, bridge, request))
    .then((answer) => {
      remember(id, answer);
      return answer;
    })
    .finally(() => {
      if (pending.get(id) === run) pending.delete(id);
    });
  run = { waiters: 0, controller, promise };
  tail = promise.catch(() => undefined);
  return run;
}

/** Settles with the handler, or rejects as soon as `signal` aborts, so a handler that ignores its signal cannot stall the queue. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal, challengeId: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () =>
      reject(new StepUpError('aborted', undefined, { challengeId, cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function runHandler(
  challenge: StepUpInfo,
  signal: AbortSignal,
  bridge: boolean,
  request: Request | undefined,
): Promise<VerifyAnswer> {
  const challengeId = challenge.challengeId;
  if (signal.aborted) throw new StepUpError('aborted', undefined, { challengeId, cause: signal.reason });
  const handler = getStepUpHandler();
  if (!handler) throw new StepUpError('no_handler', undefined, { challengeId });
  const native = bridge && detectWebview() !== undefined;
  if (native)
    postBridgeMessage({
      type: 'challenge_started',
      challengeId,
      acr: challenge.acr,
      methods: challenge.methods,
    });
  let answer: VerifyAnswer;
  try {
    answer = await untilAborted(handler(challenge, { signal, request }), signal, challengeId);
    if (typeof answer?.token !== 'string' || answer.token === '') {
      throw new StepUpError('failed', 'The step-up handler answered without a token.', { challengeId });
    }
  } catch (error) {
    const mapped = mapError(error, signal, challengeId);
    if (native) {
      postBridgeMessage(
        mapped.code === 'cancelled'
          ? { type: 'challenge_cancelled', challengeId }
          : { type: 'challenge_error', challengeId, code: mapped.code, message: mapped.message },
      );
    }
    throw mapped;
  }
  if (answer.deviceToken) rememberDeviceToken(answer.deviceToken);
  if (native) {
    postBridgeMessage({
      type: 'challenge_completed',
      challengeId,
      token: answer.token,
      acr: answer.acr,
      amr: answer.amr,
      expiresAt: answer.expiresAt,
    });
  }
  return answer;
}

function mapError(error: unknown, signal: AbortSignal, challengeId: string): StepUpError {
  if (isStepUpError(error)) return error;
  if (signal.aborted || (error instanceof DOMException && error.name === 'AbortError')) {
    return new StepUpError('aborted', undefined, { challengeId, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new StepUpError('failed', `The step-up handler failed: ${message}`, { challengeId, cause: error });
}

function waitFor(run: Run, signal: AbortSignal | undefined, challengeId: string): Promise<VerifyAnswer> {
  const release = () => {
    run.waiters--;
    if (run.waiters <= 0) run.controller.abort(new StepUpError('aborted', undefined, { challengeId }));
  };
  if (!signal) return run.promise;
  if (signal.aborted) {
    release();
    return Promise.reject(new StepUpError('aborted', undefined, { challengeId, cause: signal.reason }));
  }
  return new Promise<VerifyAnswer>((resolve, reject) => {
    const onAbort = () => {
      release();
      reject(new StepUpError('aborted', undefined, { challengeId, cause: signal.reason }));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    run.promise.then(
      (answer) => {
        signal.removeEventListener('abort', onAbort);
        resolve(answer);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function remember(challengeId: string, answer: VerifyAnswer): void {
  const expires = Date.parse(answer.expiresAt);
  const until = Math.min(Number.isFinite(expires) ? expires : 0, Date.now() + DONE_MAX_MS);
  if (until <= Date.now()) return;
  done.set(challengeId, { answer, until });
  if (done.size > DONE_LIMIT) done.delete(done.keys().next().value as string);
}

/** Forgets shared answers and pending runs (tests only; not exported from the package). */
export function resetStepUpQueue(): void {
  for (const run of pending.values()) run.controller.abort();
  pending.clear();
  done.clear();
  tail = Promise.resolve();
}
