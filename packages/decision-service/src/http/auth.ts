import { hash } from 'node:crypto';
import { StepgateError } from '@stepgate/protocol';
import type { FastifyRequest } from 'fastify';
import type { Caller, ServiceContext } from '../service-context.js';
import type { ApiKeyRecord } from '../stores/store.js';

const CACHE_TTL_MS = 30_000;
const CACHE_MAX = 1000;

/**
 * API keys, cached briefly: a revoked key stops working within {@link CACHE_TTL_MS}. The store
 * holds keys as HMACs under the master key; the cache finds a presented key by its SHA-256 instead
 * (~1 µs, where the HMAC costs ~5 µs on every request), and computes the HMAC only to ask the
 * store. It keeps digests of keys, never keys (a generated key has 256 random bits).
 */
export class ApiKeyCache {
  readonly #ctx: ServiceContext;
  readonly #entries = new Map<string, { record: ApiKeyRecord | undefined; at: number }>();
  /** Audiences whose keys may manage users (`users.manageAudiences`). */
  readonly manageAudiences: ReadonlySet<string>;

  constructor(ctx: ServiceContext) {
    this.#ctx = ctx;
    this.manageAudiences = new Set(ctx.config.users.manageAudiences);
  }

  async lookup(key: string): Promise<ApiKeyRecord | undefined> {
    const id = hash('sha256', key, 'base64url');
    const now = Date.now();
    const hit = this.#entries.get(id);
    if (hit && now - hit.at < CACHE_TTL_MS) return hit.record;
    const record = await this.#ctx.store.findApiKeyByHash(this.#ctx.sealer.hmac('api-key', key));
    if (this.#entries.size >= CACHE_MAX) this.#entries.clear();
    // Unknown keys are not cached: a flood of random keys must not evict real ones.
    if (record) this.#entries.set(id, { record, at: now });
    return record;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    stepgate: { ctx: ServiceContext; apiKeys: ApiKeyCache };
  }
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/;

/**
 * What a route needs of its caller's key: any valid key (`api`), an admin key (`admin`), or an
 * admin key or a key of an audience in `users.manageAudiences` (`users`: the routes that change
 * a user's contact points and factors).
 */
export type KeyNeed = 'api' | 'admin' | 'users';

/**
 * Checks `Authorization: Bearer <api key>` (stored as an HMAC only).
 *
 * @throws StepgateError `unauthorized` for a missing, malformed, unknown or revoked key;
 * `forbidden` when the key may not call the route ({@link KeyNeed}).
 */
export function authenticate(request: FastifyRequest, need: KeyNeed): Promise<Caller> {
  return authorize(request.server.stepgate.apiKeys, request.headers.authorization, need);
}

/** {@link authenticate} from the `Authorization` header's value (for the node:http fast path). */
export async function authorize(
  apiKeys: ApiKeyCache,
  header: string | string[] | undefined,
  need: KeyNeed,
): Promise<Caller> {
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  if (!match) throw new StepgateError('unauthorized', 'an API key is required (Authorization: Bearer <key>)');
  const record = await apiKeys.lookup(match[1]!);
  if (!record || record.revokedAt !== undefined)
    throw new StepgateError('unauthorized', 'the API key is not valid');
  if (need === 'admin' && !record.admin)
    throw new StepgateError('forbidden', 'this route needs an admin key');
  if (need === 'users' && !record.admin && !apiKeys.manageAudiences.has(record.audience)) {
    throw new StepgateError(
      'forbidden',
      `keys of audience "${record.audience}" may not manage users (users.manageAudiences)`,
    );
  }
  return { apiKeyId: record.id, audience: record.audience, admin: record.admin };
}
