import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeChallengeStoreContract } from '../contract/challenge-store-contract.js';
import { describeStoreContract } from '../contract/store-contract.js';
import { describeWebAuthnStoreContract } from '../contract/webauthn-store-contract.js';
import { StoreUnavailableError } from '../store-unavailable.js';
import { openPgRedisTestEnv, type PgRedisTestEnv } from './pg-redis-test-env.js';
import { int, RowDecodeError } from './pg-rows.js';
import { openPostgresStores } from './postgres-stores.js';

let env: PgRedisTestEnv;
beforeAll(async () => {
  env = await openPgRedisTestEnv();
});
afterAll(async () => {
  await env?.close();
});

describeStoreContract('postgres + redis', async () => (await env.freshStores()).store);
describeChallengeStoreContract('redis', async () => ({ store: (await env.freshStores()).challenges }));
describeWebAuthnStoreContract('postgres + redis', async () => ({
  store: (await env.freshStores()).webauthn,
}));

describe('PostgreSQL + Redis family', () => {
  it('decodes BIGINT strings as safe integers and refuses anything else', () => {
    expect(int({ at: '1800000000000' }, 'at')).toBe(1_800_000_000_000);
    expect(() => int({ at: '9007199254740993' }, 'at')).toThrow(RowDecodeError);
    expect(() => int({ at: 'x' }, 'at')).toThrow(RowDecodeError);
  });

  it('refuses a schema older than the code unless asked to migrate', async () => {
    await expect(
      openPostgresStores({ url: env.databaseUrl, redis: env.redisUrl, prefix: env.prefix() }),
    ).rejects.toThrow(/stepgate migrate/);
    const stores = await openPostgresStores({
      url: env.databaseUrl,
      redis: env.redisUrl,
      prefix: env.prefix(),
      migrate: true,
    });
    await stores.close();
    const again = await openPostgresStores({
      url: env.databaseUrl,
      redis: env.redisUrl,
      prefix: env.prefix(),
    });
    expect(await again.ping()).toBe(true);
    await again.close();
    // Issue 18: the decisions table is indexed by id only (nothing reads it by user).
    const pool = new pg.Pool({ connectionString: env.databaseUrl, max: 1 });
    const indexes = await pool.query(
      "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'decisions'",
    );
    await pool.end();
    expect(indexes.rows.map((r: { indexname: string }) => r.indexname)).toEqual(['decisions_pkey']);
  });

  it('answers 503-class errors while PostgreSQL does not answer', async () => {
    const stores = await env.freshStores();
    const broken = await openPostgresStores({
      url: env.databaseUrl.replace(/:\d+\//, ':1/'),
      redis: env.redisUrl,
      prefix: env.prefix(),
      migrate: false,
    }).catch((e: unknown) => e);
    expect(broken).toBeInstanceOf(StoreUnavailableError);
    expect(await stores.ping()).toBe(true);
  });
});
