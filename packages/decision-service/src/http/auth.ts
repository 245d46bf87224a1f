import { StepgateError } from '@stepgate/protocol';
import type { FastifyRequest } from 'fastify';
import type { Caller, ServiceContext } from '../service-context.js';
import type { ApiKeyRecord } from '../stores/store.js';

const CACHE_TTL_MS = 30_000;
const CACHE_MAX = 1000;

/** API keys by hash, cached briefly: a revoked key stops working within {@link CACHE_TTL_MS}. */
export class ApiKeyCache {
  readonly #ctx: ServiceContext;
  readonly #entries = new Map<string, { record: ApiKeyRecord | undefined; at: number }>();

  constructor(ctx: ServiceContext) {
    this.#ctx = ctx;
  }

  async lookup(key: string): Promise<ApiKeyRecord | undefined> {
    const hash = this.#ctx.sealer.hmac('api-key', key);
    const now = Date.now();
    const hit = this.#entries.get(hash);
    if (hit && now - hit.at < CACHE_TTL_MS) return hit.record;
    const record = await this.#ctx.store.findApiKeyByHash(hash);
    if (this.#entries.size >= CACHE_MAX) this.#entries.clear();
    // Unknown keys are not cached: a flood of random keys must not evict real ones.
    if (record) this.#entries.set(hash, { record, at: now });
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
 * Checks `Authorization: Bearer <api key>` (stored as an HMAC only).
 *
 * @throws StepgateError `unauthorized` for a missing, malformed, unknown or revoked key;
 * `forbidden` when an admin key is needed.
 */
export function authenticate(request: FastifyRequest, need: 'api' | 'admin'): Promise<Caller> {
  return authorize(request.server.stepgate.apiKeys, request.headers.authorization, need);
}

/** {@link authenticate} from the `Authorization` header's value (for the node:http fast path). */
export async function authorize(
  apiKeys: ApiKeyCache,
  header: string | string[] | undefined,
  need: 'api' | 'admin',
): Promise<Caller> {
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  if (!match) throw new StepgateError('unauthorized', 'an API key is required (Authorization: Bearer <key>)');
  const record = await apiKeys.lookup(match[1]!);
  if (!record || record.revokedAt !== undefined)
    throw new StepgateError('unauthorized', 'the API key is not valid');
  if (need === 'admin' && !record.admin)
    throw new StepgateError('forbidden', 'this route needs an admin key');
  return { apiKeyId: record.id, audience: record.audience, admin: record.admin };
}
