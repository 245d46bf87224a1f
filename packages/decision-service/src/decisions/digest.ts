import { createHash } from 'node:crypto';
import { canonicalJson, type Transaction } from '@stepgate/protocol';

/**
 * The transaction digest of a decision request, computed on the synchronous node:crypto path:
 * `base64url(SHA-256(canonicalJson({ action, transaction })))`, the same value as the protocol's
 * WebCrypto `transactionDigest` (a test checks both agree) without a hop to the WebCrypto worker.
 * The service always computes it from the request; a digest sent by a client is never trusted.
 *
 * @throws StepgateError `invalid_request` when the transaction holds something canonical JSON refuses.
 */
export function requestDigest(action: string, transaction: Transaction | undefined): string {
  const text = canonicalJson(transaction === undefined ? { action } : { action, transaction });
  return createHash('sha256').update(text, 'utf8').digest('base64url');
}
