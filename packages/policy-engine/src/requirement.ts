/**
 * Requirement satisfaction (docs/policies.md): by the session itself, or by a presented
 * upgraded token. Pure: the service verifies the token's signature, `iss`, `aud` and `typ`
 * before, and enforces single use of `jti` after.
 */
import {
  type AcrValues,
  DEFAULT_ACR_VALUES,
  levelAtLeast,
  levelFromAcr,
  type Requirement,
  STEP_UP_AUTHORIZATION_TYPE,
} from '@stepgate/protocol';
import { methodIndex, methodMask, namesMethodOf, sessionLevel } from './methods.js';
import type { SatisfactionInput, SatisfactionResult } from './types.js';

/** Clock skew tolerated for a time in the future, seconds. */
const SKEW = 60;

type Failure = { satisfied: false; code: string; detail: string };
const fail = (code: string, detail: string): Failure => ({ satisfied: false, code, detail });

/** Freshness: `authTime` within `maxAge` of `now` (S1: `now − maxAge − 1` is too old). */
function freshness(
  authTime: unknown,
  maxAge: number | undefined,
  now: number,
  who: string,
): Failure | undefined {
  if (maxAge === undefined) return undefined;
  if (typeof authTime !== 'number' || !Number.isFinite(authTime)) {
    return fail(
      'auth_time_missing',
      `${who} has no authentication time and the requirement has maxAge ${maxAge}`,
    );
  }
  if (authTime > now + SKEW)
    return fail('auth_time_in_future', `${who} authentication time is in the future`);
  if (now - authTime > maxAge) {
    return fail(
      'auth_too_old',
      `${who} authenticated ${now - authTime}s ago; the requirement allows ${maxAge}s`,
    );
  }
  return undefined;
}

/**
 * The methods a requirement that restricts them allows, as a mask: `methods` (Stepgate's
 * challenges) and `providerMethods` (an identity provider's proof). For such a requirement the
 * engine puts every allowed method that reaches the level in one of them (S24).
 */
const allowedMethods = (requirement: Requirement): number =>
  methodMask(requirement.methods) | methodMask(requirement.providerMethods);

/**
 * Whether the session alone meets a requirement: its level (from `subject.acr`) at or above the
 * required level, `subject.authTime` within `maxAge` and — when the requirement restricts
 * methods — `subject.methods` naming an allowed one (S24: the level alone does not say which
 * method proved it). A requirement that binds the transaction or has `maxAge: 0` is never met by
 * a session: only a single-use token bound to this request is.
 */
export function checkSession(requirement: Requirement, input: SatisfactionInput): SatisfactionResult {
  if (requirement.maxAge === 0 || requirement.bindTransaction) {
    return fail('token_required', 'this requirement is met only by a single-use token bound to this request');
  }
  const have = sessionLevel(input.subject?.acr, input.acrValues ?? DEFAULT_ACR_VALUES);
  if (!levelAtLeast(have, requirement.level)) {
    return fail('level_too_low', `the session is ${have}; ${requirement.level} is required`);
  }
  if (requirement.restrictsMethods && !namesMethodOf(input.subject?.methods, allowedMethods(requirement))) {
    return fail(
      'method_not_proven',
      'the requirement restricts methods and subject.methods names none of the allowed ones',
    );
  }
  return (
    freshness(input.subject?.authTime, requirement.maxAge, input.now, 'the session') ?? {
      satisfied: true,
      by: 'session',
    }
  );
}

/**
 * The allocation-free form of `checkSession` that `evaluate` uses (same rules): does the
 * session meet a requirement of level rank `level`? `sessionRank` is the rank of the session's
 * level, already computed from `subject.acr` by `evaluate`; `subject.authTime` is read here.
 * `methods` is the mask of allowed methods when the requirement restricts them (S24:
 * `subject.methods` must name one), or −1 when it does not.
 */
export function sessionMeets(
  subject: unknown,
  sessionRank: number,
  level: number,
  maxAge: number | undefined,
  bind: boolean,
  methods: number,
  now: number,
): boolean {
  if (maxAge === 0 || bind || subject === null || typeof subject !== 'object') return false;
  if (sessionRank < level) return false;
  if (methods !== -1 && !namesMethodOf((subject as { methods?: unknown }).methods, methods)) return false;
  if (maxAge === undefined) return true;
  const t = (subject as { authTime?: unknown }).authTime;
  return typeof t === 'number' && Number.isFinite(t) && t <= now + SKEW && now - t <= maxAge;
}

/** Whether presented token claims meet a requirement (the session was not enough). */
function checkToken(
  requirement: Requirement,
  input: SatisfactionInput,
  acrValues: AcrValues,
): SatisfactionResult {
  const token = input.token;
  if (token === undefined || token === null || typeof token !== 'object') {
    return fail('token_missing', 'no upgraded token was presented');
  }
  if (typeof token.sub !== 'string' || token.sub !== input.subject?.id) {
    return fail('subject_mismatch', 'the token was issued to another user');
  }
  const sid = input.subject?.sessionId;
  if ((sid !== undefined || token.sid !== undefined) && token.sid !== sid) {
    return fail('session_mismatch', 'the token was issued to another session');
  }
  if (typeof token.exp === 'number' && token.exp <= input.now)
    return fail('token_expired', 'the token has expired');
  const level = typeof token.acr === 'string' ? levelFromAcr(token.acr, acrValues) : undefined;
  if (level === undefined) return fail('level_too_low', 'the token carries an unknown acr');
  if (!levelAtLeast(level, requirement.level)) {
    return fail('level_too_low', `the token is ${level}; ${requirement.level} is required`);
  }
  const stale = freshness(
    token.auth_time,
    requirement.maxAge === 0 ? undefined : requirement.maxAge,
    input.now,
    'the token',
  );
  if (stale !== undefined) return stale;
  const details = Array.isArray(token.authorization_details) ? token.authorization_details : [];
  const detail = details.find(
    (d) => d !== null && typeof d === 'object' && d.type === STEP_UP_AUTHORIZATION_TYPE,
  );
  // S24: `amr` cannot tell a TOTP from an emailed code; the token names its method, and a
  // requirement that restricts methods needs an allowed one — with `anyAction` too. A token
  // that names none (minted before tokens did, or not by Stepgate) proves none.
  if (requirement.restrictsMethods) {
    const i = methodIndex(detail?.method);
    if (i < 0 || !(allowedMethods(requirement) & (1 << i))) {
      return fail('method_not_allowed', 'the token was not minted after one of the allowed methods');
    }
  }
  // S34, RFC 9396: a token counts for the action it was minted for, bound or not, unless every
  // policy behind the requirement accepts any action; a token for this request only never does.
  const bound = requirement.bindTransaction || requirement.maxAge === 0;
  if (bound || requirement.anyAction !== true) {
    if (detail === undefined) return fail('token_not_bound', 'the token is not bound to an action');
    if (detail.action !== input.action)
      return fail('action_mismatch', 'the token was issued for another action');
    if (bound && (typeof input.digest !== 'string' || detail.digest !== input.digest)) {
      return fail('digest_mismatch', 'the token was issued for another transaction');
    }
  }
  return { satisfied: true, by: 'token' };
}

/**
 * Whether the session or a presented token meets a requirement (docs/policies.md): level,
 * `auth_time` within `maxAge`, `sub` and `sid` equal to the caller's, the action in
 * `authorization_details` equal to this request's (RFC 9396, S34; skipped only for a requirement
 * with `anyAction`), and — when the requirement binds the transaction or has `maxAge: 0` — the
 * digest too. When the requirement restricts methods (`restrictsMethods`), the session must name
 * an allowed method in `subject.methods`, and a token in its `authorization_details` entry
 * (S24). The session is checked first, so a token is not consumed when the session already
 * suffices. With `maxAge: 0` the token's own short lifetime (`exp`) is its freshness.
 *
 * @example
 * checkRequirement(verdict.requirement, { now, subject, action: 'payments.transfer', digest, token: claims });
 * // { satisfied: true, by: 'token' } or { satisfied: false, code: 'digest_mismatch', detail: '…' }
 */
export function checkRequirement(requirement: Requirement, input: SatisfactionInput): SatisfactionResult {
  try {
    const acrValues = input.acrValues ?? DEFAULT_ACR_VALUES;
    const session = checkSession(requirement, input);
    if (session.satisfied || input.token === undefined) return session;
    return checkToken(requirement, input, acrValues);
  } catch {
    return fail('invalid_input', 'the satisfaction input is malformed');
  }
}
