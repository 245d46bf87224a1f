import {
  type Amr,
  type Level,
  levelAtLeast,
  type Method,
  maxLevel,
  type VerifyAnswer,
  type VerifyRequest,
} from '@stepgate/protocol';
import type { ChallengeBinding } from '../stores/challenge-store.js';
import type { ChallengeRecord, FactorRecord } from '../stores/store.js';
import type { ChallengeDeps } from './challenge-deps.js';
import type { ChallengeEvent } from './challenge-events.js';

const weaker = (a: Level, b: Level): Level => (levelAtLeast(a, b) ? b : a);

/**
 * The level and `amr` a verified method gives on top of the session (S2, S3): the session's level
 * raised to what the method reaches under the policies (capped by the factor's own `maxLevel`).
 * An emailed code reaches aal1 by default: a fresh check, not a second factor.
 *
 * @example
 * upgradeLevel({ method: 'totp', sessionLevel: 'aal1', methodLevels }); // { level: 'aal2', amr: ['otp', 'mfa'] }
 */
export function upgradeLevel(p: {
  method: Method;
  sessionLevel: Level;
  methodLevels: Readonly<Record<Method, Level>>;
  factor?: FactorRecord;
  /** What a possession method (WebAuthn, device key) proved: its level and `amr` replace the defaults. */
  proof?: { level: Level; amr: Amr[] };
}): { level: Level; methodLevel: Level; amr: Amr[] } {
  if (p.proof)
    return { level: maxLevel(p.sessionLevel, p.proof.level), methodLevel: p.proof.level, amr: p.proof.amr };
  let methodLevel = p.methodLevels[p.method];
  if (p.factor) methodLevel = weaker(methodLevel, p.factor.maxLevel);
  const level = maxLevel(p.sessionLevel, methodLevel);
  // RFC 8176: `otp` for any one-time code, `sms` when it came by text message; `mfa` only when
  // the method is a second factor that reaches aal2 (never for an emailed code).
  const amr: Amr[] = p.method === 'sms_otp' ? ['sms', 'otp'] : ['otp'];
  if (p.method !== 'email_otp' && levelAtLeast(methodLevel, 'aal2')) amr.push('mfa');
  return { level, methodLevel, amr };
}

/**
 * Mints the upgraded token of a verified challenge through the tokens module: `acr`/`amr` from the
 * method verified, bound to the challenge's user, session, action and transaction digest, with a
 * fresh `jti` and a short expiry; plus a remembered-device token when asked and allowed.
 */
export async function mintUpgrade(
  deps: ChallengeDeps,
  p: {
    challenge: ChallengeRecord;
    binding: ChallengeBinding;
    method: Method;
    factor: FactorRecord | undefined;
    proof?: { level: Level; amr: Amr[] } | undefined;
    body: VerifyRequest;
    base: Omit<ChallengeEvent, 'type'>;
    now: number;
  },
): Promise<VerifyAnswer> {
  const { challenge: c, binding: b } = p;
  const { level, methodLevel, amr } = upgradeLevel({
    method: p.method,
    sessionLevel: b.sessionLevel,
    methodLevels: deps.methodLevels(),
    ...(p.factor === undefined ? {} : { factor: p.factor }),
    ...(p.proof === undefined ? {} : { proof: p.proof }),
  });
  const acr = deps.acrValues[level];
  const { token, claims } = deps.tokens.mintStepUpToken({
    sub: c.userId,
    aud: c.audience,
    acr,
    amr,
    authTime: Math.floor(p.now / 1000),
    ...(c.sessionId === undefined ? {} : { sid: c.sessionId }),
    action: c.action,
    digest: c.digest,
  });
  const answer: VerifyAnswer = { token, acr, amr, expiresAt: new Date(claims.exp * 1000).toISOString() };
  // A device is remembered only after a real second factor, and only for the device that asked.
  if (
    p.body.rememberDevice === true &&
    deps.settings.rememberDevice &&
    b.deviceId !== undefined &&
    levelAtLeast(methodLevel, 'aal2')
  ) {
    answer.deviceToken = (await deps.tokens.mintDeviceToken({ sub: c.userId, deviceId: b.deviceId })).token;
  }
  await deps.events.append({
    type: 'challenge.verified',
    ...p.base,
    what: { ...p.base.what, level },
    tokenId: claims.jti,
    ...(p.factor === undefined ? {} : { factorId: p.factor.id }),
    outcome: 'ok',
  });
  return answer;
}
