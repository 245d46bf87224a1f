/**
 * `useStepUp()`: wraps an async function so that a step-up answer runs the challenge and the
 * function runs again with the upgraded token (Clerk's `useReverification`, for Stepgate).
 */
import { useCallback, useEffect, useRef } from 'react';
import { runWithStepUp, type StepUpFetcher, type UseStepUpOptions } from './run-with-step-up.js';

/**
 * Wraps `fetcher` with the step-up flow and returns a function with the fetcher's own arguments
 * and result type. The fetcher gets a {@link StepUpAttempt} first: spread `attempt.headers` into
 * its request (the `Step-Up-Context` header, and `Step-Up-Token` on the retry) and pass
 * `attempt.signal`. When the fetcher returns or throws a step-up answer (a 401 `Response`, an
 * error with such a `response`, or the parsed JSON body), the connected `<StepUpChallenge>`
 * (or `options.onStepUp`) runs the challenge and the fetcher runs once more with the token.
 *
 * The returned function is stable across renders (it always calls the latest `fetcher`).
 * Unmounting the component aborts a pending step-up: the dialog closes and the call rejects with
 * StepUpError `aborted`.
 *
 * @returns `(...args) => Promise<Result>`.
 * @throws From the returned function: `StepUpCancelledError` (StepUpError `cancelled`) when the
 *   user cancels — test it with `isStepUpError(error) && error.code === 'cancelled'`; StepUpError
 *   `aborted`, `no_handler`, `failed`; and whatever the fetcher throws that is not a step-up.
 * @example
 * const transfer = useStepUp(async ({ headers, signal }, amount: number, payee: string) => {
 *   const res = await fetch('/api/transfers', {
 *     method: 'POST',
 *     headers: { ...headers, 'content-type': 'application/json' },
 *     body: JSON.stringify({ amount, payee }),
 *     signal,
 *   });
 *   return res.ok ? ((await res.json()) as { ok: true }) : res; // a 401 step-up answer is handled for you
 * });
 * // transfer: (amount: number, payee: string) => Promise<Response | { ok: true }>
 */
export function useStepUp<Args extends unknown[], Result>(
  fetcher: StepUpFetcher<Args, Result>,
  options: UseStepUpOptions = {},
): (...args: Args) => Promise<Result> {
  const latest = useRef({ fetcher, options });
  latest.current = { fetcher, options };
  const controller = useRef<AbortController | null>(null);
  useEffect(() => {
    const own = new AbortController();
    controller.current = own;
    return () => own.abort();
  }, []);
  return useCallback((...args: Args) => {
    // Before the mount effect ran (a call during render), a fresh controller still lets it run.
    controller.current ??= new AbortController();
    const signal = controller.current.signal;
    return runWithStepUp((attempt, ...a: Args) => latest.current.fetcher(attempt, ...a), args, signal, {
      ...latest.current.options,
    });
  }, []);
}
