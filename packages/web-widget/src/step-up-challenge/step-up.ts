import type { StepUpInfo, VerifyAnswer } from '@stepgate/protocol';
import '../define.js';
import { TAG_CHALLENGE } from '../tags.js';
import type { StepUpChallenge } from './step-up-challenge.js';

/** Options of {@link stepUp}. */
export interface StepUpOptions {
  /** Closes the dialog and rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/**
 * Runs a challenge in a modal `<step-up-challenge>`: the page's own (non-inline) element when
 * there is one, else a temporary one appended to `<body>`. Resolves with the verify answer.
 *
 * @throws StepUpCancelledError (from `@stepgate/sdk-core`) when the user cancels; StepUpError
 *   `failed` when the challenge expired or locked; the signal's reason when `signal` aborts.
 * @example
 * const res = await fetch('/api/transfer', { method: 'POST', body });
 * if (res.status === 401) {
 *   const { stepUp: challenge } = await res.json();
 *   const { token } = await stepUp(challenge);
 *   await fetch('/api/transfer', { method: 'POST', body, headers: { 'Step-Up-Token': token } });
 * }
 */
export async function stepUp(challenge: StepUpInfo, options: StepUpOptions = {}): Promise<VerifyAnswer> {
  let el = document.querySelector<StepUpChallenge>(`${TAG_CHALLENGE}:not([inline])`);
  const temporary = !el;
  if (!el) {
    el = document.createElement(TAG_CHALLENGE);
    document.body.append(el);
  }
  try {
    return await el.stepUp(challenge, options);
  } finally {
    if (temporary) el.remove();
  }
}
