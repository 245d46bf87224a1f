import type { Outcome } from '../api.js';
import { h } from '../dom.js';

const NETWORK_LABEL = {
  home: 'home',
  abroad: 'Tokyo',
  datacenter: 'a datacenter IP',
  tor: 'a Tor exit',
} as const;

/** Says what happened to a call: done, denied (with the policy reasons), cancelled or failed. */
export function verdictBox(outcome: Outcome, done: string): HTMLElement {
  const from = outcome.network === 'home' ? '' : ` (sent from ${NETWORK_LABEL[outcome.network]})`;
  const reasons = (outcome.body.reasons as Array<{ policyId: string; detail?: string }> | undefined) ?? [];
  const error = (outcome.body.error as { code?: string; message?: string } | undefined) ?? {};
  const text =
    outcome.status === 'ok'
      ? `✔ ${done}${from}`
      : outcome.status === 'denied'
        ? `✖ Denied${from}: ${reasons.map((r) => `${r.policyId} — ${r.detail ?? ''}`).join('; ') || error.message}`
        : outcome.status === 'cancelled'
          ? `Cancelled${from}: nothing happened.`
          : `✖ That did not go through${from}: ${error.message ?? 'please try again.'}`;
  // The HTTP status and error code stay out of the text (the customer reads it), in data attributes.
  return h(
    'div',
    {
      className: 'verdict',
      'data-status': outcome.status,
      'data-code': error.code ?? '',
      'data-http': String(outcome.httpStatus ?? ''),
      role: 'status',
    },
    text,
  );
}
