import { randomBytes } from 'node:crypto';
import type { Store } from '../stores/store.js';
import type { Sealer } from './sealer.js';

/** Prefix of every API key, so leaked keys are easy to find by secret scanners. */
export const API_KEY_PREFIX = 'sgk_';

/**
 * Creates an API key (256 random bits), stores only its HMAC and returns the key: it is shown
 * once and cannot be recovered.
 *
 * @example
 * const { key } = await createApiKey(store, sealer, { audience: 'bank-app', admin: false, now: Date.now() });
 */
export async function createApiKey(
  store: Store,
  sealer: Sealer,
  options: { audience: string; admin: boolean; label?: string; now: number },
): Promise<{ id: string; key: string }> {
  const id = `key_${randomBytes(9).toString('base64url')}`;
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const record: Parameters<Store['insertApiKey']>[0] = {
    id,
    hash: sealer.hmac('api-key', key),
    audience: options.audience,
    admin: options.admin,
    createdAt: options.now,
  };
  if (options.label !== undefined) record.label = options.label;
  await store.insertApiKey(record);
  return { id, key };
}
