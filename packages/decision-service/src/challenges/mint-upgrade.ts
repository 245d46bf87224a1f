import {
  type Amr,
  type Level,
  levelAtLeast,
  type Method,
  type VerifyAnswer,
  type VerifyRequest,
} from '@stepgate/protocol';
import type { ChallengeBinding } from '../stores/challenge-store.js';
import type { ChallengeRecord, FactorRecord } from '../stores/store.js';
import type { ChallengeDeps } from './challenge-deps.js';
import type { ChallengeEvent } from './challenge-events.js';

const weaker = (a: Level, b: Level): Level => (levelAtLeast(a, b) ? b : a);

/** What a verified method proved at this moment: the `acr` level and `amr` of its token. */
export interface ProvenLevel {
  level: Level;
  amr: Amr[];
}

/**
 * The level and `amr` a verified method proves on its own (S2, S3, S34): what the method reaches
 * under the policies (capped by the factor's own `maxLevel`), or what a possession proof
 * (WebAuthn, device key) established. The session's level never enters it: the token's
 * `auth_time` is now, and only what was proven now may be fresh — an emailed code on an aal2
 * session an hour old proves aal1, not a fresh aal2. The engine offers a step-up only methods
 * that reach the required level by themselves, so nothing is lost.
 *
 * @example
 * upgradeLevel({ method: 'totp', methodLevels }); // { level: 'aal2', amr: ['otp', 'mfa'] }
 * upgradeLevel({ method: 'email_otp', methodLevels }); // { level: 'aal1', amr: ['otp'] }
 */
export function upgradeLevel(p: {
  method: Method;
  methodLevels: Readonly<Record<Method, Level>>;
  factor?: FactorRecord | undefined;
  /** What a possession method (WebAuthn, device key) proved: its level and `amr` replace the defaults. */
  proof?: ProvenLevel | undefined;
}): ProvenLevel {
  if (p.proof) return { level: p.proof.level, amr: p.proof.amr };
  let level = p.methodLevels[p.method];
  if (p.factor) level = weaker(level, p.factor.maxLevel);
  // RFC 8176: `otp` for any one-time code, `sms` when it came by text message; `mfa` only when
  // the method is a second factor that reaches aal2 (never for an emailed code).
  const amr: Amr[] = p.method === 'sms_otp' ? ['sms', 'otp'] : ['otp'];
  if (p.method !== 'email_otp' && levelAtLeast(level, 'aal2')) amr.push('mfa');
  return { level, amr };
}

/**
 * Mints the upgraded token of a verified challenge through the tokens module: `acr`/`amr` of what
 * the method proved ({@link upgradeLevel}), `auth_time` now, bound to the challenge's user,
 * session, action and transaction digest, naming the method (S24), with a fresh `jti` and a
 * short expiry; plus a remembered-device token when asked and allowed.
 */
export async function mintUpgrade(
  deps: ChallengeDeps,
  p: {
    challenge: ChallengeRecord;
    binding: ChallengeBinding;
    factor: FactorRecord | undefined;
    /** The method verified: one the challenge allows (S24). */
    method: Method;
    proven: ProvenLevel;
    body: VerifyRequest;
    base: Omit<ChallengeEvent, 'type'>;
    now: number;
  },
): Promise<VerifyAnswer> {
  const { challenge: c, binding: b } = p;
  const { level, amr } = p.proven;
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
    // S24: the method this challenge verified; a requirement that restricts methods reads it.
    method: p.method,
  });
  const answer: VerifyAnswer = { token, acr, amr, expiresAt: new Date(claims.exp * 1000).toISOString() };
  // A device is remembered only after a real second factor, and only for the device that asked.
  if (
    p.body.rememberDevice === true &&
    deps.settings.rememberDevice &&
    b.deviceId !== undefined &&
    levelAtLeast(level, 'aal2')
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
