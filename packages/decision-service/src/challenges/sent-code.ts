import { randomInt } from 'node:crypto';
import type { Transaction } from '@stepgate/protocol';
import type { Sealer } from '../secrets/sealer.js';

/** Methods whose code the service sends. */
export type SentCodeMethod = 'email_otp' | 'sms_otp';

/** Digits of a sent code (S8). */
export const SENT_CODE_DIGITS = 6;

/** A 6-digit code from the CSPRNG (S8), leading zeros kept. */
export const newSentCode = (): string =>
  String(randomInt(0, 10 ** SENT_CODE_DIGITS)).padStart(SENT_CODE_DIGITS, '0');

/**
 * The stored form of a sent code: an HMAC under a key derived from the master key (S8), over the
 * challenge id and method too, so a code from challenge A never matches on challenge B.
 */
export const sentCodeHash = (
  sealer: Sealer,
  challengeId: string,
  method: SentCodeMethod,
  code: string,
): string => sealer.hmac('code', `${challengeId}\u0000${method}\u0000${code}`);

function describeAmount(transaction: Transaction): string | undefined {
  const { amount, currency } = transaction as { amount?: unknown; currency?: unknown };
  if (typeof amount !== 'number' && typeof amount !== 'string') return undefined;
  return typeof currency === 'string' ? `${amount} ${currency}` : String(amount);
}

/**
 * The label a message names the action with: English, else the first given; undefined without
 * labels (the raw action id is never put in a message to the user, issue 19).
 */
export function messageLabel(labels: Readonly<Record<string, string>> | undefined): string | undefined {
  return labels?.en ?? (labels ? Object.values(labels)[0] : undefined);
}

/** What a transaction asks the user to confirm, in a few words (docs/design/flows.md "Methods and what they prove"). */
export function describeTransaction(
  label: string | undefined,
  transaction: Transaction | undefined,
): string | undefined {
  const amount = transaction && describeAmount(transaction);
  const payee = (transaction as { payee?: unknown } | undefined)?.payee;
  const parts: string[] = [];
  if (amount) parts.push(amount);
  if (typeof payee === 'string' || typeof payee === 'number') parts.push(`to ${payee}`);
  if (parts.length === 0) return label;
  return label ? `${label}: ${parts.join(' ')}` : parts.join(' ');
}

/**
 * The message that carries a code: it names the action by its label (policies' `actions`) and
 * the amount and payee when a transaction is bound, so the user sees what the code approves.
 * The action id itself never appears.
 *
 * @example
 * codeMessage({ code: '123456', label: 'Transfer money', transaction: { amount: 50, currency: 'EUR', payee: 'Bob' }, minutes: 10 });
 * // { subject: 'Your verification code', text: '123456 is your code to approve Transfer money: 50 EUR to Bob. …' }
 */
export function codeMessage(p: {
  code: string;
  label?: string | undefined;
  transaction?: Transaction;
  minutes: number;
}): { subject: string; text: string } {
  const what = describeTransaction(p.label, p.transaction);
  const approve = what ? ` to approve ${what}` : '';
  return {
    subject: 'Your verification code',
    text: `${p.code} is your code${approve}. It expires in ${p.minutes} minutes. Never share it; we will never ask for it.`,
  };
}
