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
 * The action's label in `lang` (then its base language, then English, then any): the policies'
 * `actions` labels that the view carries. `undefined` without labels: the raw action id is for
 * the app, never shown to the user (issue 19).
 */
export function actionLabel(view: ChallengeView, lang: string): string | undefined {
  const labels = view.actionLabel;
  if (!labels) return undefined;
  const byLang = new Map(Object.entries(labels).map(([l, text]) => [l.toLowerCase(), text]));
  return (
    byLang.get(lang) ?? byLang.get(lang.split('-')[0] ?? '') ?? byLang.get('en') ?? [...byLang.values()][0]
  );
}

/** A field name for people: the message table's, else `payeeIban` → "Payee iban". */
const fieldName = (k: string, m: ChallengeMessages): string =>
  m.fields[k] ??
  k
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/[_.-]+/g, ' ')
    .toLowerCase()
    .replace(/^./, (c) => c.toUpperCase());

/**
 * S18 (what you see is what you sign): the action and the SERVER's copy of the transaction,
 * from the challenge view, never from the page, as the centre of the dialog: the action's label,
 * the amount large, then the other fields. Every value is rendered as text.
 */
export function transactionView(view: ChallengeView, m: ChallengeMessages, lang: string): TemplateResult {
  const tx = view.transaction ?? {};
  const label = actionLabel(view, lang);
  const hero = typeof tx.amount === 'number' && typeof tx.currency === 'string';
  const rows = Object.entries(tx).filter(([k]) => !(hero && (k === 'currency' || k === 'amount')));
  return html`<section part="transaction" aria-labelledby="tx-title">
    <h3 id="tx-title" part="transaction-title">${m.confirming}</h3>
    ${label ? html`<p part="action">${label}</p>` : nothing}
    ${hero ? html`<p part="amount">${formatValue('amount', tx.amount, tx, lang)}</p>` : nothing}
    ${
      rows.length
        ? html`<dl part="transaction-list">
      ${rows.map(
        ([k, v]) =>
          html`<div><dt>${fieldName(k, m)}</dt><dd part="transaction-value">${formatValue(k, v, tx, lang)}</dd></div>`,
      )}
    </dl>`
        : nothing
    }
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
