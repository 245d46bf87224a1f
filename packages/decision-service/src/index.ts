/**
 * @stepgate/decision-service — the decision service and the `stepgate` CLI.
 * @packageDocumentation
 */
export { ConfigError, type ConfigLocation } from './config/config-error.js';
export { configSchema, ENV_VARS } from './config/config-schema.js';
export { type LoadConfigOptions, loadConfig, parseConfigText } from './config/load-config.js';
export type { DurationInput, LogLevel, ServiceConfig, ServiceConfigInput } from './config/service-config.js';
export { createLogger, REDACT_PATHS } from './logging/logger.js';
export type { PolicyInput } from './policies/load-policies.js';
export type { ReloadResult } from './policies/policy-holder.js';
export { Sealer } from './secrets/sealer.js';
export { type RunningService, type StartOptions, startDecisionService } from './start.js';
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
