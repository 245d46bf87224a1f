/**
 * Challenge and factor events, in the shape the audit log takes (`LifecycleAuditInput` of
 * `src/audit/`): ids, methods, levels and short codes — never a code, secret or token (S27).
 */
import type { Level, Method } from '@stepgate/protocol';
import type { Logger } from 'pino';
import { logCensored } from '../logging/logger.js';

/** Types of the events this module emits. */
export type ChallengeEventType =
  | 'challenge.created'
  | 'challenge.started'
  | 'challenge.code_sent'
  | 'challenge.verified'
  | 'challenge.failed'
  | 'challenge.locked'
  | 'challenge.expired'
  | 'challenge.otp_replay'
  | 'factor.added'
  | 'factor.removed'
  | 'factor.announced'
  /** A registration that was refused (`detail.failure` says why: `origin`, `attestation_untrusted`, …). */
  | 'factor.rejected'
  | 'factor.unlocked'
  /** A user erased with everything the store held about them (`DELETE /v1/users/{id}`). */
  | 'user.deleted';

/** One challenge or factor event. */
export interface ChallengeEvent {
  type: ChallengeEventType;
  who: { userId?: string; sessionId?: string; audience?: string; apiKeyId?: string };
  what?: { action?: string; transactionDigest?: string; method?: Method; level?: Level };
  where?: { ip?: string; deviceId?: string };
  challengeId?: string;
  decisionId?: string;
  factorId?: string;
  /** The minted token's `jti` (never the token). */
  tokenId?: string;
  /** A short code: `ok`, `failed`, `dead`, … */
  outcome?: string;
  detail?: {
    attemptsLeft?: number;
    resendAfter?: number;
    /** A short code: `wrong_code`, `expired`, `not_pending`, `locked`, `method_not_allowed`, … */
    failure?: string;
    sentTo?: string;
    channel?: 'email' | 'sms' | 'webhook' | 'dev';
    /** Consecutive failures of an authenticator (`factor.unlocked`: before the reset). */
    failures?: number;
    /** The level a factor change's step-up proved (S33). */
    provenLevel?: Level;
    /** A factor stored above `provenLevel` (first factor, or none at its level). */
    levelAboveProof?: boolean;
    /** A short code: `first_factor`, `no_factor_at_level`, `capped_to_proof`, `admin_key`. */
    reason?: string;
    /** A changed contact point, masked. */
    contact?: string;
  };
}

/** Where events go; the audit log's `AuditSink` fits. `append` resolves once the event is kept. */
export interface ChallengeEventSink {
  append(event: ChallengeEvent): Promise<void>;
}

/**
 * A sink that writes each event as a pino line (used when no audit log is wired).
 *
 * @example
 * const events = logChallengeEvents(log);
 * await events.append({ type: 'challenge.started', who: { userId: 'u1' }, challengeId });
 */
export function logChallengeEvents(log: Logger): ChallengeEventSink {
  return {
    async append(event) {
      logCensored(log, { event }, event.type);
    },
  };
}
