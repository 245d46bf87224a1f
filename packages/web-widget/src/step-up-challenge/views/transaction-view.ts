import type { ChallengeView } from '@stepgate/protocol';
import { html, nothing, type TemplateResult } from 'lit';
import type { ChallengeMessages } from '../../i18n/messages.js';

/** A transaction value as text: amounts with a currency formatted, objects as compact JSON. */
function formatValue(key: string, value: unknown, tx: Record<string, unknown>, lang: string): string {
  if (key === 'amount' && typeof value === 'number' && typeof tx.currency === 'string') {
    try {
      return new Intl.NumberFormat(lang || undefined, { style: 'currency', currency: tx.currency }).format(
        value,
      );
    } catch {
      // An unknown currency code: fall through to the plain value.
    }
  }
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

/**
 * S18 (what you see is what you sign): the action and the SERVER's copy of the transaction,
 * from the challenge view, never from the page. Every value is rendered as text.
 */
export function transactionView(view: ChallengeView, m: ChallengeMessages, lang: string): TemplateResult {
  const tx = view.transaction ?? {};
  const merged = typeof tx.amount === 'number' && typeof tx.currency === 'string';
  const rows = Object.entries(tx).filter(([k]) => !(merged && k === 'currency'));
  return html`<section part="transaction" aria-labelledby="tx-title">
    <h3 id="tx-title" part="transaction-title">${m.confirming}</h3>
    <dl part="transaction-list">
      <div><dt>${m.action}</dt><dd part="action">${view.action}</dd></div>
      ${rows.map(
        ([k, v]) =>
          html`<div><dt>${m.fields[k] ?? k}</dt><dd part="transaction-value">${formatValue(k, v, tx, lang)}</dd></div>`,
      )}
    </dl>
  </section>`;
}

/** Seconds as `m:ss`. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** The expiry line; not a live region, so the ticking clock is not read out every second. */
export function expiryView(
  expiresAt: number,
  now: number,
  m: ChallengeMessages,
): TemplateResult | typeof nothing {
  if (!Number.isFinite(expiresAt)) return nothing;
  return html`<p part="expiry" class="muted">${m.expiresIn(clock((expiresAt - now) / 1000))}</p>`;
}
