import type { Redis } from 'ioredis';
import type { IdempotencyClaim, IdempotencyStore } from '../store.js';
import { expireAtFor, type LuaScript, lua, RedisRunner } from './redis-scripts.js';

/** A pending idempotency claim older than this was abandoned (as in the SQLite store), ms. */
const ABANDONED_CLAIM_MS = 60_000;

/** Sorted set of this store's keys by logical expiry. */
const INDEX = 'exp:hot';

/**
 * Consumes a jti: refused while a record that has not expired (by the caller's clock) exists;
 * otherwise set, with its logical expiry in the index. KEYS: jti, index. ARGV: expiresAt, now, pxat.
 */
const CONSUME_JTI = lua(`
local e = redis.call('GET', KEYS[1])
if e and tonumber(e) >= tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[1], KEYS[1])
return 1
`);

/**
 * Claims an idempotency key. KEYS: record, index. ARGV: requestHash, now, expiresAt, abandonedMs, pxat.
 */
const CLAIM = lua(`
local h = redis.call('HMGET', KEYS[1], 'h', 's', 'r', 'c', 'e')
local now = tonumber(ARGV[2])
if h[1] and (tonumber(h[5]) < now or ((not h[2]) and tonumber(h[4]) < now - tonumber(ARGV[4]))) then
  redis.call('DEL', KEYS[1])
  h = { false }
end
if not h[1] then
  redis.call('HSET', KEYS[1], 'h', ARGV[1], 'c', ARGV[2], 'e', ARGV[3])
  redis.call('PEXPIREAT', KEYS[1], ARGV[5])
  redis.call('ZADD', KEYS[2], ARGV[3], KEYS[1])
  return { 'claimed' }
end
if not h[2] then return { 'pending', h[1] } end
return { 'done', h[1], h[2], h[3] }
`);

/** Stores the answer of a claimed key. KEYS: record. ARGV: status, response. */
const COMPLETE = lua(`
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 's', ARGV[1], 'r', ARGV[2]) end
return 1
`);

/** Drops a claim that has no answer. KEYS: record. */
const RELEASE = lua(`
if redis.call('HEXISTS', KEYS[1], 's') == 0 then redis.call('DEL', KEYS[1]) end
return 1
`);

/**
 * The Redis half of the PostgreSQL + Redis family's token and idempotency state: single-use jtis
 * and idempotency keys. Each call is one Lua script (atomic across replicas); keys carry a TTL past
 * their logical expiry and a sorted-set index that {@link RedisHotStore.purgeExpired} uses.
 * Durability is Redis's: with `appendonly yes` and `appendfsync everysec` a crash loses at most a
 * second of consumed jtis (docs/deployment.md "What each store holds").
 */
export class RedisHotStore implements IdempotencyStore {
  readonly #r: RedisRunner;

  constructor(redis: Redis, prefix: string) {
    this.#r = new RedisRunner(redis, prefix);
  }

  #run(script: LuaScript, keys: string[], args: Array<string | number>): Promise<unknown> {
    return this.#r.run(script, keys, args);
  }

  async consumeJti(jti: string, expiresAt: number, now: number): Promise<boolean> {
    const done = await this.#run(
      CONSUME_JTI,
      [this.#r.key('jti', jti), this.#r.key(INDEX)],
      [expiresAt, now, expireAtFor(expiresAt)],
    );
    return done === 1;
  }

  async claimIdempotency(
    scope: string,
    key: string,
    requestHash: string,
    now: number,
    expiresAt: number,
  ): Promise<IdempotencyClaim> {
    const r = (await this.#run(
      CLAIM,
      [this.#r.key('idem', scope, key), this.#r.key(INDEX)],
      [requestHash, now, expiresAt, ABANDONED_CLAIM_MS, expireAtFor(expiresAt)],
    )) as string[];
    if (r[0] === 'claimed') return { state: 'claimed' };
    if (r[0] === 'pending') return { state: 'pending', requestHash: r[1]! };
    return { state: 'done', requestHash: r[1]!, status: Number(r[2]), response: r[3]! };
  }

  async completeIdempotency(scope: string, key: string, status: number, response: string): Promise<void> {
    await this.#run(COMPLETE, [this.#r.key('idem', scope, key)], [status, response]);
  }

  async releaseIdempotency(scope: string, key: string): Promise<void> {
    await this.#run(RELEASE, [this.#r.key('idem', scope, key)], []);
  }

  /** Deletes expired jtis and idempotency records. @returns how many. */
  purgeExpired(now: number): Promise<number> {
    return this.#r.purge(INDEX, now);
  }
}
