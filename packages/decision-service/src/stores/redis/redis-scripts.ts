/**
 * Running Lua scripts on Redis: `EVALSHA`, and `EVAL` once when the server does not know the
 * script yet (after a restart or `SCRIPT FLUSH`). A script runs atomically on the server: no
 * other command of any replica runs between its reads and writes.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { StoreUnavailableError } from '../store-unavailable.js';

/** A Lua script and its SHA-1. */
export interface LuaScript {
  source: string;
  sha: string;
}

/** Names a Lua script (its SHA-1 computed once). */
export function lua(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** How long a Redis key outlives its logical expiry (the stores purge by logical time), ms. */
export const REDIS_GRACE_MS = 3_600_000;

/** The wall-clock `PEXPIREAT` of a key that logically expires at `expiresAt`. */
export function expireAtFor(expiresAt: number): number {
  return Math.max(expiresAt, Date.now()) + REDIS_GRACE_MS;
}

/** Runs Redis calls, turning every failure into a {@link StoreUnavailableError} (fail closed). */
export class RedisRunner {
  readonly redis: Redis;
  readonly prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.prefix = prefix;
  }

  /** A key under the prefix; `:` and `%` inside a part are escaped, so parts never run together. */
  key(...parts: string[]): string {
    return `${this.prefix}${parts.map((p) => p.replaceAll('%', '%25').replaceAll(':', '%3A')).join(':')}`;
  }

  /** Runs `script` with `keys` and `args`. */
  async run(script: LuaScript, keys: string[], args: Array<string | number>): Promise<unknown> {
    return this.call(async () => {
      try {
        return await this.redis.evalsha(script.sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
        return this.redis.eval(script.source, keys.length, ...keys, ...args);
      }
    });
  }

  /** Runs `fn`; any failure becomes a {@link StoreUnavailableError}. */
  async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw new StoreUnavailableError('Redis', error);
    }
  }

  /** Deletes the keys of `index` whose logical expiry is at most `now` (see {@link PURGE}). */
  async purge(index: string, now: number, keepVerified = ''): Promise<number> {
    let total = 0;
    for (;;) {
      const n = (await this.run(PURGE, [this.key(index)], [now, keepVerified])) as [number, number];
      total += n[0];
      if (n[1] < PURGE_BATCH) return total;
    }
  }
}

const PURGE_BATCH = 500;

/**
 * Deletes up to 500 keys named in the sorted set KEYS[1] with a score (logical expiry) at most
 * ARGV[1]; a challenge hash (key prefix ARGV[2]) whose status is `verified` is kept until its
 * TTL. Returns { deleted, scanned }.
 */
const PURGE = lua(`
local ks = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ${PURGE_BATCH})
local n = 0
for _, k in ipairs(ks) do
  redis.call('ZREM', KEYS[1], k)
  local keep = false
  if ARGV[2] ~= '' and string.sub(k, 1, string.len(ARGV[2])) == ARGV[2] then
    keep = redis.call('HGET', k, 'st') == 'verified'
  end
  if not keep then n = n + redis.call('DEL', k) end
end
return { n, #ks }
`);
