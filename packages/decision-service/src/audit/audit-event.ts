/**
 * What the audit log records (docs/security-model.md S27): who, what, when, where, the reasons and signal
 * values, report-only outcomes and the policy version. The inputs are closed, typed shapes with no
 * field that could hold a code, a secret or a token; `buildAuditEvent` copies only these fields.
 */
import type { Decision, Level, Method, RiskLevel } from '@stepgate/protocol';
import type { ReplayInput } from '../tuning/replay-input.js';

/** Challenge lifecycle events (issue 6 emits them). */
export const CHALLENGE_EVENT_TYPES = [
  'challenge.created',
  'challenge.started',
  'challenge.code_sent',
  'challenge.verified',
  'challenge.failed',
  'challenge.locked',
  'challenge.expired',
  'challenge.otp_replay',
] as const;

/** Factor events. */
export const FACTOR_EVENT_TYPES = [
  'factor.added',
  'factor.removed',
  'factor.announced',
  'factor.rejected',
  'factor.unlocked',
] as const;

/** Token events. */
export const TOKEN_EVENT_TYPES = [
  'token.issued',
  'token.accepted',
  'token.rejected',
  'token.revoked',
] as const;

/** A feedback label on a decision (`outcome`: `fraud` or `legit`; the note is not kept). */
export const FEEDBACK_EVENT_TYPES = ['decision.feedback'] as const;

/** A user erased (`DELETE /v1/users/{id}`): their earlier records stay. */
export const USER_EVENT_TYPES = ['user.deleted'] as const;

/** Every event type, `decision` first. */
export const AUDIT_EVENT_TYPES = [
  'decision',
  ...CHALLENGE_EVENT_TYPES,
  ...FACTOR_EVENT_TYPES,
  ...TOKEN_EVENT_TYPES,
  ...FEEDBACK_EVENT_TYPES,
  ...USER_EVENT_TYPES,
] as const;

/** The type of an audit event. */
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** Who: the end user and the API key that asked. */
export interface AuditWho {
  userId?: string;
  sessionId?: string;
  /** The id of the caller's API key (`key_…`), never the key. */
  apiKeyId?: string;
  audience?: string;
  /** The OS user who ran a `stepgate` command (`factor unlock`). */
  operator?: string;
}

/** What: the action and its target. */
export interface AuditWhat {
  action?: string;
  resourceType?: string;
  resourceId?: string;
  /** The transaction digest (base64url SHA-256); the transaction itself is not kept. */
  transactionDigest?: string;
  method?: Method;
  level?: Level;
}

/** Where: network and device. */
export interface AuditWhere {
  ip?: string;
  country?: string;
  /** The per-browser random id from the context header. */
  deviceId?: string;
  /** A remembered-device token signed for this user was presented (S25); the token is not kept. */
  deviceKnown?: boolean;
  userAgent?: string;
}

/** A reason as audited: the engine's reason, signal values included. */
export interface AuditReason {
  policyId: string;
  code: string;
  detail?: string;
  values?: Record<string, unknown>;
}

/** A report-only policy's would-be outcome. */
export interface AuditReportOnly {
  policyId: string;
  decision: Decision;
  reasons: AuditReason[];
}

/**
 * Short machine codes for a failure or an outcome (`wrong_code`, `expired`, `bad_signature`, …).
 * Lower-case letters and underscores only, so a digit code can never be smuggled in.
 */
export type AuditCode = string;

/** Numeric and short-code details of a challenge or factor event. */
export interface AuditDetail {
  attemptsLeft?: number;
  resendAfter?: number;
  failure?: AuditCode;
  /** A masked destination (`j***@example.com`, `•••• 1234`). */
  sentTo?: string;
  channel?: 'email' | 'sms' | 'webhook' | 'dev';
  /** Consecutive failures of an authenticator (`factor.unlocked`: before the reset). */
  failures?: number;
  /** `factor.added` / `factor.removed`: the level the step-up before the change proved (S33). */
  provenLevel?: Level;
  /** `factor.added`: the factor was stored above `provenLevel` (a documented exception, S33). */
  levelAboveProof?: boolean;
  /**
   * `factor.added` / `factor.removed`: why the change needed no step-up or its level differs from
   * the proof — `first_factor`, `no_factor_at_level`, `capped_to_proof`, `admin_key`;
   * `user.deleted`: `no_factor` (nothing to step up with), `admin_key` (an operator's erasure).
   */
  reason?: AuditCode;
  /** A contact point that changed, masked like `sentTo`. */
  contact?: string;
  /** `token.*` of an identity provider's token: the provider's configured id (docs/idp.md). */
  idp?: string;
}

/**
 * The outcome of a decision: the verdict, or `invalid_request` when a request field did not fit the
 * type the policies give it (issue 22): the request was refused with a 400, not evaluated.
 */
export type DecisionOutcome = Decision | 'invalid_request';

/** A decision of `POST /v1/decisions` or the AuthZEN endpoint. */
export interface DecisionAuditInput {
  type: 'decision';
  decisionId: string;
  who: AuditWho;
  what: AuditWhat;
  where: AuditWhere;
  decision: DecisionOutcome;
  reasons: readonly AuditReason[];
  risk: { score: number; level: RiskLevel; signals: Record<string, unknown> };
  reportOnly: readonly AuditReportOnly[];
  policyVersion: string;
  challengeId?: string;
  /** The presented upgraded token's `jti` (its id, never the token). */
  tokenId?: string;
  /**
   * The evaluation input, for backtests (docs/audit.md "Replayable decisions"): stored beside the
   * record (deleted after the replay retention), its SHA-256 in the record as `replayDigest`.
   */
  replay?: ReplayInput;
}

/** A challenge, factor, token or feedback event. */
export interface LifecycleAuditInput {
  type: Exclude<AuditEventType, 'decision'>;
  who: AuditWho;
  what?: AuditWhat;
  where?: AuditWhere;
  challengeId?: string;
  decisionId?: string;
  factorId?: string;
  /** A token's `jti` (never the token). */
  tokenId?: string;
  /** `ok`, `failed`, … (a short code). */
  outcome?: AuditCode;
  reasons?: readonly AuditReason[];
  detail?: AuditDetail;
  policyVersion?: string;
}

/** Anything that can be appended to the audit log. */
export type AuditInput = DecisionAuditInput | LifecycleAuditInput;

/**
 * Where audit events go. `append` resolves once the event is durable (docs/security-model.md S29) and
 * rejects with a `service_unavailable` StepgateError when it cannot be written.
 *
 * @example
 * await ctx.audit.append({ type: 'challenge.failed', challengeId, who: { userId },
 *   what: { method: 'totp' }, detail: { attemptsLeft: 2, failure: 'wrong_code' } });
 */
export interface AuditSink {
  append(event: AuditInput): Promise<void>;
}
