import type { Redis } from 'ioredis';
import type {
  AttemptCounter,
  AttemptRequest,
  AttemptReservation,
  ChallengeBinding,
  ChallengeStore,
  CompleteOutcome,
  EnrollmentTicketRecord,
  SendSlotClaim,
  SentCodeRecord,
} from '../challenge-store.js';
import type { ChallengeRecord } from '../store.js';
import { expireAtFor, lua, RedisRunner } from './redis-scripts.js';

/** Sorted set of this store's keys by logical expiry. */
const INDEX = 'exp:chl';

/**
 * Counts one attempt (see `ChallengeStore.reserveAttempt`). KEYS: challenge, user counter,
 * authenticator counters… ARGV: now, maxFailures, baseMs, maxMs, then per counter: name,
 * freeFailures, lockAt (-1: never). Returns JSON, or false when the challenge takes no attempt.
 */
const RESERVE = lua(`
local now = tonumber(ARGV[1])
local ch = redis.call('HMGET', KEYS[1], 'st', 'at', 'exp')
if ch[1] ~= 'pending' or tonumber(ch[3]) <= now or tonumber(ch[2]) >= tonumber(ARGV[2]) then return false end
local attempts = redis.call('HINCRBY', KEYS[1], 'at', 1)
local base, maxMs = tonumber(ARGV[3]), tonumber(ARGV[4])
local failures, refused, open, names = {}, {}, {}, {}
for i = 2, #KEYS do
  local a = 5 + 3 * (i - 2)
  local name, free, lockAt = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  names[i] = name
  local c = redis.call('HMGET', KEYS[i], 'f', 't')
  local f, t = tonumber(c[1]) or 0, tonumber(c[2]) or 0
  failures[name] = f
  local ok = true
  if lockAt >= 0 and f >= lockAt then
    refused[name] = { state = 'locked' }
    ok = false
  else
    local wait = 0
    if f >= free then
      local k = f - free
      if k >= 40 then wait = maxMs else wait = math.min(maxMs, base * 2 ^ k) end
    end
    -- No wait is no wait: a last failure stamped by a request that started later (another
    -- replica's clock, or a concurrent request) must not refuse this one.
    if wait > 0 and now < t + wait then
      refused[name] = { state = 'waiting', ['until'] = t + wait }
      ok = false
    end
  end
  open[i] = ok
end
local anyAuthenticator = false
for i = 3, #KEYS do if open[i] then anyAuthenticator = true end end
local admitted = open[2] and anyAuthenticator
local counted = {}
if admitted then
  for i = 2, #KEYS do
    if open[i] then
      failures[names[i]] = redis.call('HINCRBY', KEYS[i], 'f', 1)
      redis.call('HSET', KEYS[i], 't', ARGV[1])
      if i >= 3 then table.insert(counted, names[i]) end
    end
  end
end
return cjson.encode({ attempts = attempts, admitted = admitted, counted = counted, refused = refused, failures = failures })
`);

/** KEYS: challenge. ARGV: maxFailures. */
const SETTLE = lua(`
local ch = redis.call('HMGET', KEYS[1], 'st', 'at')
if ch[1] == 'pending' and tonumber(ch[2]) >= tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'st', 'failed')
  return 'failed'
end
return 'pending'
`);

/** KEYS: challenge, TOTP step of the factor, sent code. ARGV: now, '1' with a TOTP step, step. */
const COMPLETE = lua(`
local ch = redis.call('HMGET', KEYS[1], 'st', 'exp')
if ch[1] ~= 'pending' or tonumber(ch[2]) <= tonumber(ARGV[1]) then return 'not_pending' end
if ARGV[2] == '1' then
  local last = redis.call('GET', KEYS[2])
  if last and tonumber(last) >= tonumber(ARGV[3]) then return 'replay' end
  redis.call('SET', KEYS[2], ARGV[3])
end
redis.call('HSET', KEYS[1], 'st', 'verified')
redis.call('DEL', KEYS[3])
return 'ok'
`);

/** KEYS: challenge. */
const EXPIRE = lua(`
if redis.call('HGET', KEYS[1], 'st') == 'pending' then
  redis.call('HSET', KEYS[1], 'st', 'expired')
  return 1
end
return 0
`);

/** KEYS: TOTP step. ARGV: step. */
const ADVANCE = lua(`
local last = redis.call('GET', KEYS[1])
if last and tonumber(last) >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1
`);

/** KEYS: send slot, index. ARGV: now, cooldownMs, pxat. Returns -1 when claimed, else ms left. */
const CLAIM_SLOT = lua(`
local now, cd = tonumber(ARGV[1]), tonumber(ARGV[2])
local c = redis.call('GET', KEYS[1])
if c and tonumber(c) + cd > now then return tonumber(c) + cd - now end
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[3])
redis.call('ZADD', KEYS[2], now + cd, KEYS[1])
return -1
`);

/** KEYS: send slot. ARGV: claimedAt. */
const RELEASE_SLOT = lua(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`);

/** KEYS: counters… Returns JSON of the counters as they were, then deletes them. */
const RESET = lua(`
local before = {}
for i = 1, #KEYS do
  local c = redis.call('HMGET', KEYS[i], 'f', 't')
  if c[1] then before[ARGV[i]] = { failures = tonumber(c[1]), lastFailureAt = tonumber(c[2]) } end
  redis.call('DEL', KEYS[i])
end
return cjson.encode(before)
`);

/** KEYS: rate limit, index. ARGV: window start, window end, pxat. */
const HIT = lua(`
local h
if redis.call('HGET', KEYS[1], 'w') == ARGV[1] then
  h = redis.call('HINCRBY', KEYS[1], 'h', 1)
else
  redis.call('HSET', KEYS[1], 'w', ARGV[1], 'h', 1)
  h = 1
end
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[2], KEYS[1])
return h
`);

/** KEYS: ticket. ARGV: sealed. */
const SET_PENDING_TOTP = lua(`
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'pt', ARGV[1], 'a', 0) end
return 1
`);

/** KEYS: ticket. */
const TICKET_FAILURE = lua(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HINCRBY', KEYS[1], 'a', 1)
`);

/** KEYS: ticket. ARGV: now. */
const SPEND = lua(`
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[1], 'u') == 1 then return 0 end
redis.call('HSET', KEYS[1], 'u', ARGV[1])
redis.call('HDEL', KEYS[1], 'pt')
return 1
`);

type Immutable<T, K extends keyof T> = Omit<T, K>;

/**
 * The Redis {@link ChallengeStore} of the PostgreSQL + Redis family, and the one owner of the
 * challenge lifecycle there: a challenge is a hash (`rec` immutable JSON, `st` status, `at`
 * attempts, `exp`), beside its binding, sent code, send slot, the attempt counters, TOTP steps,
 * rate-limit windows and enrollment tickets. Every method the contract calls atomic is one Lua
 * script, so it holds across any number of replicas: attempt counting, TOTP step
 * compare-and-set, send-slot claims, ticket spending. Expiring keys carry a TTL past their logical
 * expiry and a sorted-set index for {@link RedisChallengeStore.purgeExpired}; attempt counters
 * and TOTP steps never expire (they are reset or overwritten). Durability is Redis's: run it with
 * `appendonly yes` (docs/deployment.md); without it, a Redis restart forgets counters and TOTP
 * steps.
 */
export class RedisChallengeStore implements ChallengeStore {
  readonly #r: RedisRunner;

  constructor(redis: Redis, prefix: string) {
    this.#r = new RedisRunner(redis, prefix);
  }

  get #redis(): Redis {
    return this.#r.redis;
  }

  async migrate(): Promise<void> {}

  async insertChallenge(record: ChallengeRecord): Promise<void> {
    const { status, attempts, ...rest } = record;
    const key = this.#r.key('chl', record.id);
    await this.#r.call(() =>
      this.#redis
        .multi()
        .hset(key, { rec: JSON.stringify(rest), st: status, at: attempts, exp: record.expiresAt })
        .pexpireat(key, expireAtFor(record.expiresAt) + 86_400_000)
        .zadd(this.#r.key(INDEX), record.expiresAt, key)
        .exec()
        .then(check),
    );
  }

  async getChallenge(id: string): Promise<ChallengeRecord | undefined> {
    const [rec, st, at] = await this.#r.call(() =>
      this.#redis.hmget(this.#r.key('chl', id), 'rec', 'st', 'at'),
    );
    if (rec === null || rec === undefined) return undefined;
    const base = JSON.parse(rec) as Immutable<ChallengeRecord, 'status' | 'attempts'>;
    return { ...base, status: st as ChallengeRecord['status'], attempts: Number(at) };
  }

  async putBinding(binding: ChallengeBinding): Promise<void> {
    await this.#setJson(this.#r.key('chb', binding.challengeId), binding, binding.expiresAt);
  }

  async getBinding(challengeId: string): Promise<ChallengeBinding | undefined> {
    return this.#getJson<ChallengeBinding>(this.#r.key('chb', challengeId));
  }

  async putSentCode(code: SentCodeRecord): Promise<void> {
    await this.#setJson(this.#r.key('code', code.challengeId), code, code.expiresAt);
  }

  async getSentCode(challengeId: string): Promise<SentCodeRecord | undefined> {
    return this.#getJson<SentCodeRecord>(this.#r.key('code', challengeId));
  }

  async #setJson(key: string, value: unknown, expiresAt: number): Promise<void> {
    await this.#r.call(() =>
      this.#redis
        .multi()
        .set(key, JSON.stringify(value), 'PXAT', expireAtFor(expiresAt))
        .zadd(this.#r.key(INDEX), expiresAt, key)
        .exec()
        .then(check),
    );
  }

  async #getJson<T>(key: string): Promise<T | undefined> {
    const raw = await this.#r.call(() => this.#redis.get(key));
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async claimSendSlot(challengeId: string, now: number, cooldownMs: number): Promise<SendSlotClaim> {
    const left = Number(
      await this.#r.run(
        CLAIM_SLOT,
        [this.#r.key('slot', challengeId), this.#r.key(INDEX)],
        [now, cooldownMs, expireAtFor(now + cooldownMs)],
      ),
    );
    return left < 0 ? { claimed: true } : { claimed: false, retryAfterMs: left };
  }

  async releaseSendSlot(challengeId: string, claimedAt: number): Promise<void> {
    await this.#r.run(RELEASE_SLOT, [this.#r.key('slot', challengeId)], [claimedAt]);
  }

  async reserveAttempt(q: AttemptRequest): Promise<AttemptReservation | undefined> {
    const rules = [q.user, ...q.authenticators];
    const raw = await this.#r.run(
      RESERVE,
      [this.#r.key('chl', q.challengeId), ...rules.map((c) => this.#r.key('cnt', c.key))],
      [
        q.now,
        q.maxFailures,
        q.backoff.baseMs,
        q.backoff.maxMs,
        ...rules.flatMap((c) => [c.key, c.freeFailures, c.lockAt ?? -1]),
      ],
    );
    if (typeof raw !== 'string') return undefined;
    const r = JSON.parse(raw) as AttemptReservation;
    // cjson writes an empty Lua table as an object.
    return {
      attempts: r.attempts,
      admitted: r.admitted,
      counted: Array.isArray(r.counted) ? r.counted : [],
      refused: r.refused,
      failures: r.failures,
    };
  }

  async settleFailure(challengeId: string, maxFailures: number): Promise<'pending' | 'failed'> {
    return (await this.#r.run(SETTLE, [this.#r.key('chl', challengeId)], [maxFailures])) as
      | 'pending'
      | 'failed';
  }

  async completeChallenge(
    challengeId: string,
    now: number,
    totp?: { factorId: string; step: number },
  ): Promise<CompleteOutcome> {
    return (await this.#r.run(
      COMPLETE,
      [
        this.#r.key('chl', challengeId),
        this.#r.key('totp', totp?.factorId ?? ''),
        this.#r.key('code', challengeId),
      ],
      [now, totp ? '1' : '0', totp?.step ?? 0],
    )) as CompleteOutcome;
  }

  async expireChallenge(challengeId: string): Promise<boolean> {
    return (await this.#r.run(EXPIRE, [this.#r.key('chl', challengeId)], [])) === 1;
  }

  async readCounters(keys: string[]): Promise<Record<string, AttemptCounter>> {
    const rows = await this.#r.call(() => {
      const p = this.#redis.pipeline();
      for (const key of keys) p.hmget(this.#r.key('cnt', key), 'f', 't');
      return p.exec().then(check);
    });
    const out: Record<string, AttemptCounter> = {};
    keys.forEach((key, i) => {
      const [f, t] = rows[i]![1] as [string | null, string | null];
      out[key] = f === null ? { failures: 0 } : counter(Number(f), t);
    });
    return out;
  }

  async resetCounters(keys: string[]): Promise<Record<string, AttemptCounter>> {
    if (keys.length === 0) return {};
    const raw = (await this.#r.run(
      RESET,
      keys.map((k) => this.#r.key('cnt', k)),
      keys,
    )) as string;
    const parsed = JSON.parse(raw) as Record<string, { failures: number; lastFailureAt?: number }>;
    const out: Record<string, AttemptCounter> = {};
    for (const [k, v] of Object.entries(parsed)) out[k] = counter(v.failures, v.lastFailureAt ?? null);
    return out;
  }

  async advanceTotpStep(factorId: string, step: number): Promise<boolean> {
    return (await this.#r.run(ADVANCE, [this.#r.key('totp', factorId)], [step])) === 1;
  }

  async hitRateLimit(key: string, windowMs: number, now: number): Promise<number> {
    const start = Math.floor(now / windowMs) * windowMs;
    return Number(
      await this.#r.run(
        HIT,
        [this.#r.key('rl', key), this.#r.key(INDEX)],
        [start, start + windowMs, expireAtFor(start + windowMs)],
      ),
    );
  }

  async insertTicket(t: EnrollmentTicketRecord): Promise<void> {
    const { pendingTotp, attempts, usedAt, ...rest } = t;
    const key = this.#r.key('tkt', t.id);
    const fields: Record<string, string | number> = { rec: JSON.stringify(rest), a: attempts };
    if (pendingTotp !== undefined) fields.pt = pendingTotp;
    if (usedAt !== undefined) fields.u = usedAt;
    await this.#r.call(() =>
      this.#redis
        .multi()
        .hset(key, fields)
        .pexpireat(key, expireAtFor(t.expiresAt))
        .zadd(this.#r.key(INDEX), t.expiresAt, key)
        .exec()
        .then(check),
    );
  }

  async getTicket(id: string): Promise<EnrollmentTicketRecord | undefined> {
    const [rec, pt, a, u] = await this.#r.call(() =>
      this.#redis.hmget(this.#r.key('tkt', id), 'rec', 'pt', 'a', 'u'),
    );
    if (rec === null || rec === undefined) return undefined;
    const t = JSON.parse(rec) as EnrollmentTicketRecord;
    t.attempts = Number(a);
    if (pt !== null && pt !== undefined) t.pendingTotp = pt;
    if (u !== null && u !== undefined) t.usedAt = Number(u);
    return t;
  }

  async setPendingTotp(id: string, sealed: string): Promise<void> {
    await this.#r.run(SET_PENDING_TOTP, [this.#r.key('tkt', id)], [sealed]);
  }

  async recordTicketFailure(id: string): Promise<number> {
    return Number(await this.#r.run(TICKET_FAILURE, [this.#r.key('tkt', id)], []));
  }

  async spendTicket(id: string, now: number): Promise<boolean> {
    return (await this.#r.run(SPEND, [this.#r.key('tkt', id)], [now])) === 1;
  }

  purgeExpired(now: number): Promise<number> {
    return this.#r.purge(INDEX, now, `${this.#r.key('chl')}:`);
  }
}

function counter(failures: number, lastFailureAt: string | number | null): AttemptCounter {
  return lastFailureAt === null || lastFailureAt === undefined
    ? { failures }
    : { failures, lastFailureAt: Number(lastFailureAt) };
}

/** Throws the first error of a `MULTI`/pipeline result. */
function check(results: [Error | null, unknown][] | null): [Error | null, unknown][] {
  if (results === null) throw new Error('Redis transaction aborted');
  for (const [error] of results) if (error) throw error;
  return results;
}
