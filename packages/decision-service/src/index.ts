/**
 * @stepgate/decision-service — the decision service and the `stepgate` CLI.
 * @packageDocumentation
 */

export {
  type AuditCheckpoint,
  type CheckpointKey,
  checkpointKey,
  createCheckpoint,
  parseCheckpoint,
} from './audit/audit-checkpoint.js';
export {
  AUDIT_EVENT_TYPES,
  type AuditDetail,
  type AuditEventType,
  type AuditInput,
  type AuditReason,
  type AuditSink,
  type AuditWhat,
  type AuditWhere,
  type AuditWho,
  type DecisionAuditInput,
  type LifecycleAuditInput,
} from './audit/audit-event.js';
export { AuditLog, type AuditLogOptions } from './audit/audit-log.js';
export { type AuditQuery, AuditReader, type AuditRow } from './audit/audit-reader.js';
export {
  type AuditEventBody,
  type AuditRecord,
  buildAuditEvent,
  GENESIS_HASH,
} from './audit/audit-record.js';
export { AUDIT_DB_FILE_NAME } from './audit/audit-schema.js';
export {
  type AuditProblem,
  type AuditProblemKind,
  type AuditVerifyReport,
  verifyAuditLog,
} from './audit/audit-verify.js';
export type {
  ChallengeEvent,
  ChallengeEventSink,
  ChallengeEventType,
} from './challenges/challenge-events.js';
export type { ChallengeSettings, EnrollmentSettings } from './challenges/challenge-settings.js';
export type { ChallengesConfigInput, EnrollmentConfigInput } from './config/challenge-config.js';
export { ConfigError, type ConfigLocation } from './config/config-error.js';
export { configSchema, ENV_VARS } from './config/config-schema.js';
export type { DurationInput } from './config/duration.js';
export { type LoadConfigOptions, loadConfig, parseConfigText } from './config/load-config.js';
export type { LogLevel, ServiceConfig, ServiceConfigInput } from './config/service-config.js';
export type { WebAuthnConfigInput, WebAuthnSettings } from './config/webauthn-config.js';
export { createLogger, REDACT_PATHS } from './logging/logger.js';
export { ServiceMetrics, type ServiceMetricsOptions } from './metrics/service-metrics.js';
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
  STANDARD_WEBHOOK_HEADERS,
  signStandardWebhook,
  signWebhook,
  verifyWebhook,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from './senders/webhook-sender.js';
export { type RunningService, type StartOptions, startDecisionService } from './start.js';
export {
  type AttemptCounter,
  type AttemptRequest,
  type AttemptReservation,
  type BackoffSchedule,
  backoffWait,
  type ChallengeBinding,
  type ChallengeStore,
  type CompleteOutcome,
  type CounterRefusal,
  type CounterRule,
  type EnrollmentTicketRecord,
  type SendSlotClaim,
  type SentCodeRecord,
} from './stores/challenge-store.js';
export { SqliteChallengeStore } from './stores/sqlite/sqlite-challenge-store.js';
export { SqliteStore, type SqliteStoreOptions } from './stores/sqlite/sqlite-store.js';
export { openSqliteStores, type SqliteStoresOptions } from './stores/sqlite/sqlite-stores.js';
export { SqliteWebAuthnStore } from './stores/sqlite/sqlite-webauthn-store.js';
export type {
  ApiKeyRecord,
  ChallengeRecord,
  DecisionEffects,
  DecisionRecord,
  DecisionStore,
  DeviceTokenRecord,
  FactorRecord,
  IdempotencyClaim,
  IdempotencyStore,
  KeyStore,
  LastSeen,
  SigningKeyRecord,
  SigningKeyUse,
  Store,
  StoreLifecycle,
  TokenStore,
  UserRecord,
  UserState,
  UserStateQuery,
  UserStore,
} from './stores/store.js';
export {
  openStores,
  registerStoreDriver,
  type StoreDriver,
  type StoreDriverContext,
  storeDriverTypes,
} from './stores/store-drivers.js';
export { StoreUnavailableError } from './stores/store-unavailable.js';
export { composeStore, type StoreParts, type Stores } from './stores/stores.js';
export type {
  AssertionUpdate,
  CredentialRow,
  WebAuthnChallengeRecord,
  WebAuthnStore,
} from './stores/webauthn-store.js';
export type { JwtFailure } from './tokens/jwt.js';
export type { PublicJwk } from './tokens/key-ring.js';
export type { StepUpTokenParams, TokenService, TokenSettings, VerifyResult } from './tokens/token-service.js';
export { VERSION } from './version.js';
