/**
 * @stepgate/decision-service — the decision service and the `stepgate` CLI.
 * @packageDocumentation
 */

export type {
  ChallengeEvent,
  ChallengeEventSink,
  ChallengeEventType,
} from './challenges/challenge-events.js';
export type { ChallengeSettings, EnrollmentSettings } from './challenges/challenge-settings.js';
export type { ChallengesConfigInput, EnrollmentConfigInput } from './config/challenge-config.js';
export { ConfigError, type ConfigLocation } from './config/config-error.js';
export { configSchema, ENV_VARS } from './config/config-schema.js';
export { type LoadConfigOptions, loadConfig, parseConfigText } from './config/load-config.js';
export type { DurationInput, LogLevel, ServiceConfig, ServiceConfigInput } from './config/service-config.js';
export { createLogger, REDACT_PATHS } from './logging/logger.js';
export type { PolicyInput } from './policies/load-policies.js';
export type { ReloadResult } from './policies/policy-holder.js';
export { Sealer } from './secrets/sealer.js';
export type { OutboxEntry } from './senders/dev-outbox.js';
export type {
  DevSenderConfig,
  OutgoingMessage,
  SenderConfig,
  SendersConfig,
  SmtpSenderConfig,
  WebhookSenderConfig,
} from './senders/sender.js';
export {
  signWebhook,
  verifyWebhook,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from './senders/webhook-sender.js';
export { type RunningService, type StartOptions, startDecisionService } from './start.js';
export type {
  AttemptCounter,
  AttemptReservation,
  ChallengeBinding,
  ChallengeStore,
  CompleteOutcome,
  EnrollmentTicketRecord,
  SentCodeRecord,
} from './stores/challenge-store.js';
export { SqliteChallengeStore } from './stores/sqlite/sqlite-challenge-store.js';
export { SqliteStore, type SqliteStoreOptions } from './stores/sqlite/sqlite-store.js';
export type {
  ApiKeyRecord,
  ChallengeRecord,
  DecisionEffects,
  DecisionRecord,
  DeviceTokenRecord,
  FactorRecord,
  IdempotencyClaim,
  LastSeen,
  SigningKeyRecord,
  SigningKeyUse,
  Store,
  UserRecord,
  UserState,
  UserStateQuery,
} from './stores/store.js';
export type { JwtFailure } from './tokens/jwt.js';
export type { PublicJwk } from './tokens/key-ring.js';
export type { StepUpTokenParams, TokenService, TokenSettings, VerifyResult } from './tokens/token-service.js';
export { VERSION } from './version.js';
