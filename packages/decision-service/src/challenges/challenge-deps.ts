import { type AcrValues, type Level, type Method, StepgateError } from '@stepgate/protocol';
import type { Logger } from 'pino';
import type { Sealer } from '../secrets/sealer.js';
import type { Senders } from '../senders/create-senders.js';
import type { ChallengeBinding, ChallengeStore } from '../stores/challenge-store.js';
import type { ChallengeRecord, Store } from '../stores/store.js';
import type { TokenService } from '../tokens/token-service.js';
import type { ChallengeEventSink } from './challenge-events.js';
import type { ChallengeSettings, EnrollmentSettings } from './challenge-settings.js';
import type { WebAuthnContext } from './webauthn.js';

/** What the challenge and enrollment services need; built once by the service. */
export interface ChallengeDeps {
  store: Store;
  challenges: ChallengeStore;
  sealer: Sealer;
  tokens: TokenService;
  senders: Senders;
  events: ChallengeEventSink;
  settings: ChallengeSettings;
  enrollment: EnrollmentSettings;
  acrValues: AcrValues;
  /** The level each method reaches under the policies in force. */
  methodLevels: () => Readonly<Record<Method, Level>>;
  /** What an action is called for end users, by language, under the policies in force (`actions`). */
  actionLabel: (action: string) => Readonly<Record<string, string>> | undefined;
  /** Unix milliseconds. */
  now: () => number;
  log: Logger;
  /** WebAuthn and device-key state and settings (methods `webauthn`, `biometric`). */
  webauthn?: WebAuthnContext;
}

/** The one message of every failed verification (S10). */
export const CHALLENGE_FAILED_MESSAGE = 'the challenge could not be verified';

/** `challenge_failed` with attempts left: wrong, expired, used, unknown and locked look the same (S10). */
export const challengeFailed = (attemptsLeft: number): StepgateError =>
  new StepgateError('challenge_failed', CHALLENGE_FAILED_MESSAGE, { details: { attemptsLeft } });

/**
 * Counts one request against a fixed-window limit.
 *
 * @throws StepgateError `rate_limited` (with `retryAfter`) past `limit` requests in the window.
 */
export async function enforceRateLimit(
  deps: ChallengeDeps,
  key: string,
  limit: number,
  now: number,
): Promise<void> {
  const windowMs = deps.settings.rateLimits.window * 1000;
  const hits = await deps.challenges.hitRateLimit(key, windowMs, now);
  if (hits > limit) {
    const retryAfter = Math.max(
      1,
      Math.ceil((Math.floor(now / windowMs) * windowMs + windowMs - now) / 1000),
    );
    throw new StepgateError('rate_limited', 'too many requests; retry later', { details: { retryAfter } });
  }
}

/** The status as seen now: a pending challenge past its expiry is `expired`. */
export const effectiveStatus = (c: ChallengeRecord, now: number): ChallengeRecord['status'] =>
  c.status === 'pending' && now >= c.expiresAt ? 'expired' : c.status;

/** `who` of an event, with the session id when there is one. */
export function withSession<T extends object>(
  who: T,
  sessionId: string | undefined,
): T & { sessionId?: string } {
  return sessionId === undefined ? who : { ...who, sessionId };
}

/**
 * The shared opening of `start` and `verify`: counts the request against its per-IP limit, loads
 * the challenge and its binding, then counts it against the per-user limit (S7).
 *
 * @throws StepgateError `rate_limited`; `challenge_failed` (0 attempts left) for an unknown challenge
 */
export async function rateLimitedChallenge(
  deps: ChallengeDeps,
  step: 'start' | 'verify',
  id: string,
  clientIp: string,
  now: number,
): Promise<{ challenge: ChallengeRecord; binding: ChallengeBinding }> {
  const limits = deps.settings.rateLimits;
  const [perIp, perUser] =
    step === 'start' ? [limits.startPerIp, limits.startPerUser] : [limits.verifyPerIp, limits.verifyPerUser];
  await enforceRateLimit(deps, `${step}:ip:${clientIp}`, perIp, now);
  const challenge = await deps.challenges.getChallenge(id);
  const binding = challenge && (await deps.challenges.getBinding(id));
  if (!challenge || !binding) throw challengeFailed(0);
  await enforceRateLimit(deps, `${step}:user:${challenge.userId}`, perUser, now);
  return { challenge, binding };
}
