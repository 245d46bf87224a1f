import { type Method, StepgateError } from '@stepgate/protocol';
import type { ChallengeDeps } from '../challenges/challenge-deps.js';
import type { EnrollmentTicketRecord } from '../stores/challenge-store.js';
import { MAX_CONFIRM_FAILURES } from './enrollment-service.js';

/**
 * A live enrollment ticket that allows `method`: unspent, unexpired, with confirmations left.
 *
 * @throws StepgateError `not_found` for an unknown, used or expired ticket; `invalid_request`
 *   when the ticket cannot add `method`.
 * @example
 * const ticket = await liveTicket(deps, 'enr_…', 'webauthn');
 */
export async function liveTicket(
  deps: Pick<ChallengeDeps, 'challenges' | 'now'>,
  id: string,
  method: Method,
): Promise<EnrollmentTicketRecord> {
  const t = await deps.challenges.getTicket(id);
  if (!t || t.usedAt !== undefined || deps.now() >= t.expiresAt || t.attempts >= MAX_CONFIRM_FAILURES) {
    throw new StepgateError('not_found', 'no such enrollment ticket, or it was used or expired');
  }
  if (!t.methods.includes(method))
    throw new StepgateError('invalid_request', `this ticket cannot add ${method}`);
  return t;
}
