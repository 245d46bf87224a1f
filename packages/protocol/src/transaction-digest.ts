/**
 * Transaction binding (docs/design/wire-contract.md): the digest that ties an upgraded token to one
 * action and one transaction.
 */
import { encodeBase64Url } from './base64url.js';
import { canonicalJson } from './canonical-json.js';
import { StepgateError } from './errors.js';
import { isRecord } from './guards.js';
import type { Transaction } from './types.js';

/** What {@link transactionDigest} binds. */
export interface TransactionDigestInput {
  /** The action name, such as `payments.transfer`. */
  action: string;
  /** Whatever the user confirms; absent when the action has none. */
  transaction?: Transaction;
}

/**
 * `base64url(SHA-256(canonicalJson({ action, transaction })))`, without padding, through WebCrypto
 * so it gives the same answer in Node and in browsers. Without a transaction the digest covers
 * `{"action":…}` alone.
 *
 * @throws {@link StepgateError} `invalid_request` when `action` is not a non-empty string, the
 * transaction is not a JSON object, or it holds something {@link canonicalJson} refuses.
 * @example
 * await transactionDigest({ action: 'payments.transfer', transaction: { amount: 12000, currency: 'EUR' } });
 * // 43 base64url characters
 */
export async function transactionDigest({ action, transaction }: TransactionDigestInput): Promise<string> {
  if (typeof action !== 'string' || action.length === 0) {
    throw new StepgateError('invalid_request', 'action must be a non-empty string', {
      details: { path: '/action' },
    });
  }
  if (transaction !== undefined && !isRecord(transaction)) {
    throw new StepgateError('invalid_request', 'transaction must be a JSON object', {
      details: { path: '/transaction' },
    });
  }
  const bytes = new TextEncoder().encode(canonicalJson({ action, transaction }));
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes);
  return encodeBase64Url(new Uint8Array(digest));
}
