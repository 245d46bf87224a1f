import { Redis } from 'ioredis';
import pg from 'pg';
import type { Logger } from 'pino';
import { PgAuditLog, pgAuditSource } from '../../audit/pg-audit-log.js';
import { RedisChallengeStore } from '../redis/redis-challenge-store.js';
import { RedisHotStore } from '../redis/redis-hot-store.js';
import { StoreUnavailableError } from '../store-unavailable.js';
import { composeStore, type Stores } from '../stores.js';
import { PgStore } from './pg-store.js';
import { PgWebAuthnStore } from './pg-webauthn-store.js';

/** Options of {@link openPostgresStores}. */
export interface PostgresStoresOptions {
  /** PostgreSQL URL (`store.url`). */
  url: string;
  /** Redis URL (`store.redis`). */
  redis: string;
  /** Prefix of every Redis key, so several deployments (or test runs) can share one Redis. @defaultValue 'stepgate:' */
  prefix?: string;
  /** Run pending migrations (otherwise a schema older than the code is refused). @defaultValue false */
  migrate?: boolean;
  /** Connections in the pool. @defaultValue 10 */
  poolSize?: number;
  log?: Logger;
}

/** PostgreSQL errors that mean "the database is not there", not "the query is wrong". */
function isUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (/^(08|57P0|53300)/.test(code)) return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code))
    return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(
    message,
  );
}

/** A pool whose `query` turns connection failures into {@link StoreUnavailableError} (503, fail closed). */
function guarded(pool: pg.Pool): pg.Pool {
  const query = pool.query.bind(pool) as (text: string, values?: unknown[]) => Promise<pg.QueryResult>;
  return new Proxy(pool, {
    get(target, prop, receiver) {
      if (prop === 'query') {
        return (text: string, values?: unknown[]) =>
          query(text, values).catch((error: unknown) => {
            throw isUnavailable(error) ? new StoreUnavailableError('PostgreSQL', error) : error;
          });
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

/**
 * The PostgreSQL + Redis family for N replicas: durable rows (users, factors, keys, decisions,
 * device tokens, WebAuthn credentials) in PostgreSQL, hot state (challenges, attempt counters,
 * TOTP steps, sent codes, send slots, rate limits, enrollment tickets, single-use jtis,
 * idempotency keys, WebAuthn challenges) in Redis. Both clients fail fast while their server is
 * away (no offline queue; a 2 s connect timeout), so requests answer 503 instead of waiting, and
 * both reconnect on their own.
 *
 * @example
 * const stores = await openPostgresStores({ url: 'postgres://127.0.0.1/stepgate', redis: 'redis://127.0.0.1:6379/0', migrate: true });
 */
export async function openPostgresStores(options: PostgresStoresOptions): Promise<Stores> {
  const prefix = options.prefix ?? 'stepgate:';
  const rawPool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 2000,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection that dies (a PostgreSQL restart) must not crash the process.
  rawPool.on('error', (err) => options.log?.warn({ err }, 'PostgreSQL connection lost'));
  const pool = guarded(rawPool);
  const redis = new Redis(options.redis, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 5000,
    retryStrategy: (times) => Math.min(times * 100, 1000),
  });
  let redisDown = false;
  redis.on('error', (err) => {
    if (!redisDown) options.log?.warn({ err }, 'Redis connection lost');
    redisDown = true;
  });
  redis.on('ready', () => {
    redisDown = false;
  });
  const durable = new PgStore(pool);
  try {
    await redis.connect();
    if (options.migrate) await durable.migrate();
    else await durable.checkSchema();
  } catch (error) {
    redis.disconnect();
    await rawPool.end();
    throw error;
  }
  const hot = new RedisHotStore(redis, prefix);
  const challenges = new RedisChallengeStore(redis, prefix);
  const webauthn = new PgWebAuthnStore(pool, redis, prefix);
  const redisPart = {
    migrate: async () => {},
    ping: async () => {
      try {
        return (await redis.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
  const pgPart = {
    migrate: () => durable.migrate(),
    ping: () => durable.ping().catch(() => false),
    close: async () => {
      await durable.close();
      await rawPool.end();
    },
  };
  const tokens = {
    consumeJti: (jti: string, expiresAt: number, now: number) => hot.consumeJti(jti, expiresAt, now),
    insertDeviceToken: durable.insertDeviceToken.bind(durable),
    getDeviceToken: durable.getDeviceToken.bind(durable),
    revokeDeviceTokens: durable.revokeDeviceTokens.bind(durable),
  };
  const store = composeStore({
    users: durable,
    keys: durable,
    decisions: durable,
    idempotency: hot,
    tokens,
    challenges,
    lifecycle: [pgPart, redisPart],
    async purgeExpired(now, before) {
      let n = await hot.purgeExpired(now);
      n += await durable.purgeConsoleSessions(now);
      if (before?.history !== undefined) n += await durable.purgeHistory(before.history);
      if (before?.decisions !== undefined) n += await durable.purgeDecisions(before.decisions);
      if (before?.deviceTokens !== undefined) n += await durable.purgeDeviceTokens(before.deviceTokens);
      return n;
    },
  });
  return {
    type: 'postgres',
    store,
    users: durable,
    keys: durable,
    decisions: durable,
    idempotency: hot,
    tokens,
    challenges,
    webauthn,
    migrate: () => store.migrate(),
    ping: () => store.ping(),
    async purgeExpired(now, before) {
      let n = await store.purgeExpired(now, before);
      n += await challenges.purgeExpired(now);
      n += await webauthn.purgeExpired(now);
      return n;
    },
    close: () => store.close(),
    openAudit: async (o) => new PgAuditLog(pool, o),
    auditSource: () => pgAuditSource(pool, async () => {}),
  };
}
