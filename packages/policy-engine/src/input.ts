/** The shape checks `evaluate` makes before anything else (fail closed on malformed input). */
import type { EvaluationInput } from './types.js';

/** A history for a caller that passed none: no factors, an unknown device, nothing recent. */
export const EMPTY_HISTORY = Object.freeze({
  enrolledMethods: [],
  device: { rememberedToken: false, fingerprintSeen: false, accountsOnDevice: 0 },
  recentFailures: 0,
  actionCounts: {},
});

/** The request's basic shape; anything else is an `invalid_input` deny (fail closed). */
export function inputProblem(input: EvaluationInput): string | undefined {
  if (input === null || typeof input !== 'object') return 'the input is not an object';
  const r = input.request as unknown;
  if (r === null || typeof r !== 'object') return 'request is not an object';
  const { subject, action } = r as Record<string, unknown>;
  if (
    subject === null ||
    typeof subject !== 'object' ||
    typeof (subject as { id?: unknown }).id !== 'string'
  ) {
    return 'request.subject.id is missing';
  }
  if (
    action === null ||
    typeof action !== 'object' ||
    typeof (action as { name?: unknown }).name !== 'string'
  ) {
    return 'request.action.name is missing';
  }
  if (typeof input.now !== 'number' || !Number.isFinite(input.now)) return 'now is not a number';
  return undefined;
}
