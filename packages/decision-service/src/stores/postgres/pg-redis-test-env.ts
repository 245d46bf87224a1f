/**
 * A private PostgreSQL + Redis for tests: a fresh database per environment (on the server of
 * `STEPGATE_TEST_PG_URL`, default `postgres://postgres@127.0.0.1:5432/test`), a fresh schema and
 * Redis key prefix per store (on `STEPGATE_TEST_REDIS_URL`, default `redis://127.0.0.1:6379/0`),
 * so concurrent runs never meet. An unreachable server fails the test with what to start — it is
 * never skipped.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Stores } from '../stores.js';
import { openPostgresStores } from './postgres-stores.js';

/** The URLs tests use. */
export function testServiceUrls(env: NodeJS.ProcessEnv = process.env): { pg: string; redis: string } {
  return {
    pg: env.STEPGATE_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test',
    redis: env.STEPGATE_TEST_REDIS_URL || 'redis://127.0.0.1:6379/0',
  };
}

/** A database URL with another database name and options. */
function withDatabase(url: string, database: string, searchPath?: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  if (searchPath !== undefined) u.searchParams.set('options', `-c search_path=${searchPath}`);
  return u.toString();
}

/** A fresh test environment; {@link PgRedisTestEnv.close} drops what it made. */
export interface PgRedisTestEnv {
  /** URL of the fresh database. */
  databaseUrl: string;
  redisUrl: string;
  /** A fresh Redis key prefix. */
  prefix(): string;
  /** A fresh, migrated store family (its own schema and key prefix). */
  freshStores(): Promise<Stores>;
  /** A fresh schema (its URL) and key prefix, for several families sharing them (replicas). */
  freshTarget(): Promise<{ url: string; prefix: string }>;
  /** Drops the database and deletes the keys under every prefix handed out. */
  close(): Promise<void>;
}

/**
 * Creates a fresh database and checks Redis answers.
 * @throws Error naming the URL and the start command when a server does not answer.
 */
export async function openPgRedisTestEnv(env: NodeJS.ProcessEnv = process.env): Promise<PgRedisTestEnv> {
  const urls = testServiceUrls(env);
  const admin = new pg.Client({ connectionString: urls.pg, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (cause) {
    throw new Error(
      `PostgreSQL does not answer at ${urls.pg} (set STEPGATE_TEST_PG_URL, or start it: pg_ctlcluster 15 main start): ${String(cause)}`,
      { cause },
    );
  }
  const database = `stepgate_t_${randomBytes(6).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${database}`);
  const redis = new Redis(urls.redis, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (cause) {
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.end();
    redis.disconnect();
    throw new Error(
      `Redis does not answer at ${urls.redis} (set STEPGATE_TEST_REDIS_URL, or start redis-server): ${String(cause)}`,
      { cause },
    );
  }
  const databaseUrl = withDatabase(urls.pg, database);
  const prefixes: string[] = [];
  const opened: Stores[] = [];
  const schemaPool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  let n = 0;
  const prefix = () => {
    const p = `sgt:${database}:${n++}:`;
    prefixes.push(p);
    return p;
  };
  const freshTarget = async () => {
    const schema = `s${n}`;
    await schemaPool.query(`CREATE SCHEMA ${schema}`);
    return { url: withDatabase(urls.pg, database, schema), prefix: prefix() };
  };
  return {
    databaseUrl,
    redisUrl: urls.redis,
    prefix,
    freshTarget,
    async freshStores() {
      const { url, prefix: p } = await freshTarget();
      const stores = await openPostgresStores({
        url,
        redis: urls.redis,
        prefix: p,
        migrate: true,
        poolSize: 4,
      });
      opened.push(stores);
      return stores;
    },
    async close() {
      for (const s of opened) await s.close().catch(() => {});
      await schemaPool.end();
      for (const p of prefixes) {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${p}*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length > 0) await redis.del(...keys);
        } while (cursor !== '0');
      }
      redis.disconnect();
      // A pool's end() can resolve while a client's goodbye is still on its way: dropping WITH
      // (FORCE) then terminates that backend, and the half-closed client throws 57P01 with no
      // listener left. Wait (briefly) for the sessions to go; FORCE stays for any that do not.
      for (let i = 0; i < 100; i++) {
        const r = await admin.query('SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [
          database,
        ]);
        if (r.rows[0].n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    },
  };
}
