/**
 * The step-up flow around any async function, without React: run it; if its outcome is a
 * Stepgate step-up answer, run the challenge (the `<step-up-challenge>` element by default), then
 * run the function once more with the upgraded token. `useStepUp()` is this, bound to a component.
 */
import type { VerifyAnswer } from '@stepgate/protocol';
import { type ContextOptions, getContextHeader, requestStepUp, type StepUpHandler } from '@stepgate/sdk-core';
import { findStepUp } from './find-step-up.js';

/** What the wrapped function gets as its first argument on each run. */
export interface StepUpAttempt {
  /** `false` on the first run; `true` on the one retry after a completed step-up. */
  readonly retry: boolean;
  /** The upgraded token on the retry (send it as the `Step-Up-Token` header); `undefined` before. */
  readonly token: string | undefined;
  /** The verify answer of the step-up (`acr`, `amr`, `expiresAt`) on the retry. */
  readonly answer: VerifyAnswer | undefined;
  /**
   * Headers to add to the request: `Step-Up-Context` (the device context, unless `context: false`)
   * and, on the retry, `Step-Up-Token`.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** Aborts when the component unmounts (or the caller's own signal fires). Pass it to `fetch`. */
  readonly signal: AbortSignal;
}

/** A function `useStepUp()` wraps: its own arguments after the attempt. */
export type StepUpFetcher<Args extends unknown[], Result> = (
  attempt: StepUpAttempt,
  ...args: Args
) => Promise<Result>;

/** Options of `useStepUp()` and {@link runWithStepUp}. */
export interface UseStepUpOptions {
  /**
   * Device context for the `Step-Up-Context` header, or `false` to send none.
   * @defaultValue `{ timeoutMs: 50 }` (sdk-core's default: all signals)
   */
  context?: ContextOptions | false | undefined;
  /**
   * Runs the challenge yourself (a custom UI) instead of the `<step-up-challenge>` element:
   * resolve with the verify answer, reject with `StepUpCancelledError` on cancel.
   * @defaultValue the handler sdk-core has registered (a connected `<step-up-challenge>`)
   */
  onStepUp?: StepUpHandler | undefined;
  /**
   * Where the challenge proxy is mounted, for a step-up answer with a `WWW-Authenticate` header
   * and no JSON body.
   * @defaultValue '/stepgate'
   */
  challengePrefix?: string | undefined;
}

async function headersFor(options: UseStepUpOptions, token: string | undefined) {
  const headers: Record<string, string> = {};
  if (options.context !== false) headers['Step-Up-Context'] = await getContextHeader(options.context ?? {});
  if (token !== undefined) headers['Step-Up-Token'] = token;
  return headers;
}

async function settle<T>(
  run: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Runs `fetcher` with the step-up flow. A step-up answer it returns or throws (a 401 `Response`,
 * an error with such a `response`, or the parsed body) runs the challenge, then `fetcher` runs
 * once more with the token; whatever that second run returns or throws is the result, even
 * another step-up answer (docs/design/flows.md "A step-up": one retry).
 *
 * @throws StepUpError `cancelled` (a `StepUpCancelledError`) when the user closes the dialog,
 *   `aborted` when `signal` fires, `no_handler` when no `<step-up-challenge>` is connected and no
 *   `onStepUp` is given, `failed`; anything `fetcher` throws that is not a step-up answer.
 * @example
 * const body = await runWithStepUp(async ({ headers, signal }) => {
 *   const res = await fetch('/api/transfers', { method: 'POST', headers, body, signal });
 *   return res.ok ? res.json() : res;
 * }, [], { signal });
 */
export async function runWithStepUp<Args extends unknown[], Result>(
  fetcher: StepUpFetcher<Args, Result>,
  args: Args,
  signal: AbortSignal,
  options: UseStepUpOptions = {},
): Promise<Result> {
  const prefix = options.challengePrefix ?? '/stepgate';
  const base = { signal, answer: undefined, token: undefined, retry: false } as const;
  const first = await settle(async () =>
    fetcher({ ...base, headers: await headersFor(options, undefined) }, ...args),
  );
  const challenge = await findStepUp(first.ok ? first.value : first.error, prefix);
  if (!challenge) {
    if (first.ok) return first.value;
    throw first.error;
  }
  // The step-up answer is never handed back from here on: release a response's body.
  const outcome = first.ok ? first.value : first.error;
  const response = outcome instanceof Response ? outcome : (outcome as { response?: unknown }).response;
  if (response instanceof Response) void response.body?.cancel().catch(() => undefined);
  const answer = options.onStepUp
    ? await options.onStepUp(challenge, { signal })
    : await requestStepUp(challenge, { signal });
  return fetcher(
    { signal, answer, token: answer.token, retry: true, headers: await headersFor(options, answer.token) },
    ...args,
  );
}
