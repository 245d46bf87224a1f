import type { Level, Method, VerifyAnswer, VerifyRequest } from '@stepgate/protocol';
import type { AttemptCounter, ChallengeBinding } from '../stores/challenge-store.js';
import type { ChallengeRecord, FactorRecord } from '../stores/store.js';
import { AttemptLimits, authenticatorKey, authenticatorsUpTo, userCounterKey } from './attempts.js';
import {
  type ChallengeDeps,
  challengeFailed,
  effectiveStatus,
  rateLimitedChallenge,
  withSession,
} from './challenge-deps.js';
import type { ChallengeEvent } from './challenge-events.js';
import { mintUpgrade, upgradeLevel } from './mint-upgrade.js';
import { comparePossession, isPossessionMethod, type PossessionProof } from './possession-verify.js';
import { sentCodeHash } from './sent-code.js';
import { constantTimeEqual, matchTotp } from './totp.js';
import { openTotpFactor } from './totp-factor.js';

/** What a comparison found. */
type Match =
  | { ok: true; factor?: FactorRecord; step?: number; proof?: PossessionProof }
  | { ok: false; failure: string };

/** The authenticators a method may use in this challenge: only factors it captured at creation (S24). */
export async function candidates(
  deps: ChallengeDeps,
  c: ChallengeRecord,
  b: ChallengeBinding,
  method: Method,
) {
  if (method !== 'totp' && !isPossessionMethod(method)) {
    return { factors: [] as FactorRecord[], keys: [authenticatorKey(method, c.userId)] };
  }
  const factors = (await deps.store.listFactors(c.userId)).filter(
    (f) => f.method === method && b.factorIds.includes(f.id),
  );
  return { factors, keys: factors.map((f) => authenticatorKey(method, c.userId, f.id)) };
}

async function compare(
  deps: ChallengeDeps,
  c: ChallengeRecord,
  method: Method,
  code: string,
  factors: FactorRecord[],
  now: number,
): Promise<Match> {
  if (method === 'totp') {
    let found: Match = { ok: false, failure: 'wrong_code' };
    for (const factor of factors) {
      const { secret, params } = openTotpFactor(deps.sealer, factor);
      const step = matchTotp(secret, code, Math.floor(now / 1000), params);
      if (step !== undefined && !found.ok) found = { ok: true, factor, step };
    }
    return found;
  }
  if (method !== 'email_otp' && method !== 'sms_otp') return { ok: false, failure: 'method_unavailable' };
  const sent = await deps.challenges.getSentCode(c.id);
  const given = sentCodeHash(deps.sealer, c.id, method, code);
  const equal = constantTimeEqual(given, sent?.hash ?? '');
  if (!sent || sent.method !== method) return { ok: false, failure: 'no_code_sent' };
  if (now >= sent.expiresAt) return { ok: false, failure: 'code_expired' };
  return equal ? { ok: true } : { ok: false, failure: 'wrong_code' };
}

/**
 * Records that a factor verified a challenge (its `lastUsedAt` in the factor list). Bookkeeping
 * only: a failure is logged and the verification stands.
 */
async function recordFactorUse(
  deps: ChallengeDeps,
  c: ChallengeRecord,
  factor: FactorRecord,
  now: number,
): Promise<void> {
  try {
    await deps.store.touchFactor(c.userId, factor.id, now);
  } catch (err) {
    deps.log.warn(
      { err, challengeId: c.id, userId: c.userId, factorId: factor.id },
      'could not record when the factor was last used',
    );
  }
}

/**
 * On success (S35): resets the user's counter, the counter of what verified, and those of every
 * authenticator of the user at or below the proven level — "until the user proves another factor
 * at its level" — and audits each lock this lifts as `factor.unlocked`. A store failure here is
 * logged and the verification stands (the counters stay as they were: the safe side); an audit
 * failure fails the step like any other event.
 */
async function resetAfterSuccess(
  deps: ChallengeDeps,
  c: ChallengeRecord,
  base: Omit<ChallengeEvent, 'type'>,
  keys: string[],
  level: Level,
): Promise<void> {
  let factors: FactorRecord[];
  let before: Record<string, AttemptCounter>;
  try {
    factors = await deps.store.listFactors(c.userId);
    const unlocked = authenticatorsUpTo(level, c.userId, factors, deps.methodLevels());
    before = await deps.challenges.resetCounters([...new Set([...keys, ...unlocked])]);
  } catch (err) {
    deps.log.warn({ err, challengeId: c.id, userId: c.userId }, 'could not reset the attempt counters');
    return;
  }
  for (const [key, counter] of Object.entries(before)) {
    if (key === userCounterKey(c.userId) || counter.failures < deps.settings.lockout.authenticator) continue;
    const factor = factors.find((f) => authenticatorKey(f.method, c.userId, f.id) === key);
    const method = factor?.method ?? (key.startsWith('factor:') ? undefined : (key.split(':')[0] as Method));
    await deps.events.append({
      type: 'factor.unlocked',
      who: base.who,
      what: method === undefined ? { level } : { method, level },
      ...(base.where === undefined ? {} : { where: base.where }),
      challengeId: c.id,
      ...(factor === undefined ? {} : { factorId: factor.id }),
      outcome: 'another_factor',
      detail: { failures: counter.failures },
    });
  }
}

/**
 * Verifies a code (or a possession proof) against a challenge and, on success, mints the upgraded
 * token at the level the method proved (S2, S3, S34), resets the counters it unlocks (S35) and
 * sets the `lastUsedAt` of the factor that verified.
 *
 * Every attempt on a pending challenge counts on the challenge first (5 kill it, S26), and — when
 * the user's and an authenticator's counters admit it (S7, S35: back-off, then a lock) — on them,
 * atomically, before any comparison. Every failure for a code on a challenge in a given state
 * answers the same body (S10): wrong, expired, replayed, never sent, another method, a locked or
 * waiting authenticator — 400 `challenge_failed` with `attemptsLeft` from the challenge's own
 * attempts; a verified, failed, expired or unknown challenge answers it with `attemptsLeft: 0`.
 * The audit record keeps the real cause.
 *
 * @throws StepgateError `challenge_failed` with `attemptsLeft`; `rate_limited`.
 */
export async function verifyChallenge(
  deps: ChallengeDeps,
  id: string,
  body: VerifyRequest,
  clientIp: string,
): Promise<VerifyAnswer> {
  const now = deps.now();
  const { challenge: c, binding: b } = await rateLimitedChallenge(deps, 'verify', id, clientIp, now);
  const { method } = body;
  const base: Omit<ChallengeEvent, 'type'> = {
    who: withSession({ userId: c.userId, audience: c.audience }, c.sessionId),
    what: { action: c.action, transactionDigest: c.digest, method },
    where: { ip: clientIp },
    challengeId: id,
  };
  const status = effectiveStatus(c, now);
  if (status === 'expired') {
    if (await deps.challenges.expireChallenge(id))
      await deps.events.append({ type: 'challenge.expired', ...base });
  }
  if (status !== 'pending') {
    await deps.events.append({
      type: 'challenge.failed',
      ...base,
      detail: { failure: `not_pending`, attemptsLeft: 0 },
    });
    throw challengeFailed(0);
  }
  const userKey = userCounterKey(c.userId);
  const limits = new AttemptLimits(deps.settings);
  const allowed = c.methods.includes(method);
  const { factors, keys } = allowed ? await candidates(deps, c, b, method) : { factors: [], keys: [] };
  // Counted before comparing (S7): parallel guesses cannot compare more codes than the limits allow.
  const reservation = await deps.challenges.reserveAttempt(limits.request(id, userKey, keys, now));
  if (!reservation) {
    await deps.events.append({
      type: 'challenge.failed',
      ...base,
      detail: { failure: 'no_attempts_left', attemptsLeft: 0 },
    });
    throw challengeFailed(0);
  }
  // Only the authenticators that admitted this attempt (and counted it) are compared.
  const open = factors.filter((f) => reservation.counted.includes(authenticatorKey(method, c.userId, f.id)));
  let match: Match;
  if (!allowed) match = { ok: false, failure: 'method_not_allowed' };
  else if (keys.length === 0) match = { ok: false, failure: 'no_authenticator' };
  else if (!reservation.admitted) match = { ok: false, failure: limits.refusal(reservation, userKey) };
  else if (isPossessionMethod(method))
    match = await comparePossession(deps, deps.webauthn, c, open, body, now);
  else if (!('code' in body)) match = { ok: false, failure: 'method_unavailable' };
  else match = await compare(deps, c, method, body.code, method === 'totp' ? open : [], now);

  if (match.ok) {
    const totp =
      match.factor && match.step !== undefined ? { factorId: match.factor.id, step: match.step } : undefined;
    const outcome = await deps.challenges.completeChallenge(id, now, totp);
    if (outcome === 'ok') {
      const proven = upgradeLevel({
        method,
        methodLevels: deps.methodLevels(),
        factor: match.factor,
        proof: match.proof,
      });
      await resetAfterSuccess(deps, c, base, [userKey, ...reservation.counted], proven.level);
      // Only a stored factor (TOTP, WebAuthn, device key): an emailed or texted code has none.
      if (match.factor) await recordFactorUse(deps, c, match.factor, now);
      return mintUpgrade(deps, {
        challenge: c,
        binding: b,
        factor: match.factor,
        method,
        proven,
        body,
        base,
        now,
      });
    }
    if (outcome === 'not_pending') {
      await deps.events.append({
        type: 'challenge.failed',
        ...base,
        detail: { failure: 'not_pending', attemptsLeft: 0 },
      });
      throw challengeFailed(0);
    }
    // RFC 6238 §5.2: a step at or before the last accepted one is a replay (S6).
    await deps.events.append({ type: 'challenge.otp_replay', ...base, factorId: match.factor?.id ?? '' });
    match = { ok: false, failure: 'otp_replay' };
  }
  const settled = await deps.challenges.settleFailure(id, deps.settings.maxFailures);
  const dead = settled === 'failed' || reservation.attempts >= deps.settings.maxFailures;
  await deps.store.recordFailure(c.userId, now);
  // S10: from the challenge's own attempts only, never from the user's or an authenticator's
  // counters, which would tell a guesser that a factor is locked or waiting.
  const attemptsLeft = dead ? 0 : limits.left(reservation.attempts);
  await deps.events.append({
    type: 'challenge.failed',
    ...base,
    detail: { failure: match.failure, attemptsLeft },
  });
  for (const key of limits.newlyLocked(reservation)) {
    const factor = factors.find((f) => authenticatorKey(method, c.userId, f.id) === key);
    await deps.events.append({
      type: 'challenge.locked',
      ...base,
      ...(factor === undefined ? {} : { factorId: factor.id }),
      outcome: 'authenticator_locked',
    });
  }
  if (dead) await deps.events.append({ type: 'challenge.locked', ...base, outcome: 'challenge_dead' });
  throw challengeFailed(attemptsLeft);
}
