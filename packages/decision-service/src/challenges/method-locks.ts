import type { Method, MethodLock } from '@stepgate/protocol';
import { type AttemptCounter, backoffWait, type ChallengeBinding } from '../stores/challenge-store.js';
import type { ChallengeRecord } from '../stores/store.js';
import { AttemptLimits } from './attempts.js';
import type { ChallengeDeps } from './challenge-deps.js';
import { candidates } from './verify-challenge.js';

/**
 * How one authenticator's counter judges an attempt at `now`, exactly as
 * `ChallengeStore.reserveAttempt` does (step 3): `locked` from `lockAt` failures, `waiting` until
 * the back-off ends, else open (undefined).
 */
function judge(counter: AttemptCounter | undefined, limits: AttemptLimits, key: string, now: number) {
  const rule = limits.authenticator(key);
  const f = counter?.failures ?? 0;
  if (rule.lockAt !== undefined && f >= rule.lockAt) return { state: 'locked' as const };
  const until = (counter?.lastFailureAt ?? 0) + backoffWait(f, rule.freeFailures, limits.backoff);
  return f > 0 && now < until ? { state: 'waiting' as const, until } : undefined;
}

/**
 * The lock of each method of a challenge (issue 19): a method is `locked` when every authenticator
 * it may use is locked, `waiting` until the earliest end of their back-offs when none is open,
 * and absent when one of them would admit an attempt. The user's own back-off (every method
 * alike) is not a method's state and is left to the verify answer. One counter read.
 */
export async function methodLocks(
  deps: ChallengeDeps,
  c: ChallengeRecord,
  binding: ChallengeBinding,
  now: number,
): Promise<Map<Method, MethodLock>> {
  const limits = new AttemptLimits(deps.settings);
  const keysOf = new Map<Method, string[]>();
  for (const method of c.methods) keysOf.set(method, (await candidates(deps, c, binding, method)).keys);
  const counters = await deps.challenges.readCounters([...new Set([...keysOf.values()].flat())]);
  const locks = new Map<Method, MethodLock>();
  for (const [method, keys] of keysOf) {
    if (keys.length === 0) continue;
    const states = keys.map((k) => judge(counters[k], limits, k, now));
    if (states.some((s) => s === undefined)) continue;
    const waits = states.flatMap((s) => (s?.state === 'waiting' ? [s.until] : []));
    locks.set(
      method,
      waits.length === 0
        ? { state: 'locked' }
        : { state: 'waiting', until: new Date(Math.min(...waits)).toISOString() },
    );
  }
  return locks;
}
