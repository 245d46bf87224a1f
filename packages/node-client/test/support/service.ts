import { type RunningService, startDecisionService } from '@stepgate/decision-service';

/**
 * Policies of the integration tests: transfers over 500 need a fresh aal1 check bound to the
 * transaction (an email code is enough), transfers over 100 000 are refused, the rest is allowed.
 */
export const POLICY = `
policies:
  - id: fresh-check-for-transfers
    when: { action: payments.transfer, transaction.amount: { gt: 500 } }
    require: { level: aal1, maxAge: 0, bindTransaction: true }
  - id: transfer-ceiling
    when: { action: payments.transfer, transaction.amount: { gt: 100000 } }
    effect: deny
default: allow
`;

/** Starts the real decision service on a free loopback port. */
export function startService(): Promise<RunningService> {
  return startDecisionService({ port: 0, host: '127.0.0.1', policies: POLICY, watchPolicies: false });
}
