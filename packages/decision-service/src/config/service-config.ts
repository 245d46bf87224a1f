import { type AcrValues, DEFAULT_ACR_VALUES } from '@stepgate/protocol';
import type { AuditSettings } from '../audit/service-audit.js';
import type { ChallengeSettings, EnrollmentSettings } from '../challenges/challenge-settings.js';
import type { SendersConfig } from '../senders/sender.js';
import { type AuditConfigInput, normalizeAudit } from './audit-config.js';
import {
  type ChallengesConfigInput,
  type EnrollmentConfigInput,
  normalizeChallenges,
  normalizeEnrollment,
} from './challenge-config.js';
import { type DurationInput, durationSeconds } from './duration.js';
import { type IdpConfigInput, type IdpSettings, normalizeIdp } from './idps-config.js';
import { type MetricsConfigInput, type MetricsSettings, normalizeMetrics } from './metrics-config.js';
import { normalizeUsers, type UsersConfigInput, type UsersSettings } from './users-config.js';
import { normalizeWebAuthn, type WebAuthnConfigInput, type WebAuthnSettings } from './webauthn-config.js';

/** Log levels of pino. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The configuration as a file or the `config` option writes it: every field optional. */
export interface ServiceConfigInput {
  /** `iss` of minted tokens. @defaultValue 'urn:stepgate' */
  issuer?: string;
  /** Audiences API keys may be scoped to; the first is the default. @defaultValue ['default'] */
  audiences?: string[];
  /** `acr` value of each level. @defaultValue DEFAULT_ACR_VALUES */
  acrValues?: Partial<AcrValues>;
  tokens?: {
    /** Upgraded-token lifetime. @defaultValue 300 */
    lifetime?: DurationInput;
    /** Remembered-device token lifetime. @defaultValue '30d' */
    deviceLifetime?: DurationInput;
    /** Tolerated clock difference. @defaultValue 30 */
    clockSkew?: DurationInput;
  };
  /** Challenge lifetimes, attempt limits, lockout and rate limits (docs/deployment.md). */
  /** The audit log (docs/audit.md). @defaultValue `{ batchWindowMs: 0, maxBatch: 1000, synchronous: 'full' }` */
  audit?: AuditConfigInput;
  challenges?: ChallengesConfigInput;
  /** Enrollment tickets. */
  enrollment?: EnrollmentConfigInput;
  /** How email and SMS codes and notices are delivered. @defaultValue {} (none) */
  senders?: SendersConfig;
  /** WebAuthn relying party, origin allowlist and attestation (docs/deployment.md). */
  webauthn?: WebAuthnConfigInput;
  /** Which API keys may manage users' contact points and factors. @defaultValue `{ manageAudiences: [audiences[0]] }` */
  users?: UsersConfigInput;
  /**
   * OpenID Connect providers that may perform step-ups (`performer: idp:<id>`), discovered at
   * start (docs/idp.md). @defaultValue [] (Stepgate performs every step-up)
   */
  idps?: IdpConfigInput[];
  /** Where `/metrics` is served and whether it needs a key. @defaultValue `{ requireKey: false }` (API listener) */
  metrics?: MetricsConfigInput;
  /** The operator console at `/console` (docs/operators.md). @defaultValue `{ enabled: false }` */
  console?: { enabled?: boolean };
  /** Sliding window of action counts and failures. @defaultValue `{ window: '1h' }` */
  history?: { window?: DurationInput };
  /**
   * How long decisions are kept for feedback (`POST /v1/decisions/{id}/feedback` answers 404
   * after it; the audit log keeps every decision's record). From `1h` to `3650d`.
   * @defaultValue `{ retention: '180d' }`
   */
  decisions?: { retention?: DurationInput };
  /** How long an `Idempotency-Key` answer is kept. @defaultValue `{ ttl: '24h' }` */
  idempotency?: { ttl?: DurationInput };
  /** Browser origins of the app (CORS for the challenge routes). @defaultValue [] */
  origins?: string[];
  /**
   * CIDRs of callers whose `Stepgate-Client-IP` is honoured, in addition to holding an API key.
   * Empty means every caller with an API key. @defaultValue []
   */
  trustedClients?: string[];
  /** Policy files (YAML or JSON), merged in order. @defaultValue [] */
  policies?: string[];
  /** Named IP lists: name → file of CIDRs, one per line (`#` comments). @defaultValue {} */
  ipLists?: Record<string, string>;
  /** A MaxMind-format (GeoLite2/GeoIP2 City) database for geo from IP. */
  maxmindDb?: string;
  /** Directory of the SQLite store. @defaultValue './stepgate-data' */
  dataDir?: string;
  /** The store family (docs/deployment.md "Running N replicas"). @defaultValue `{ type: 'sqlite' }` */
  store?: StoreConfigInput;
  /** Master key file (mode 0600). @defaultValue `<dataDir>/stepgate.key` */
  keyFile?: string;
  /** @defaultValue 'info' */
  logLevel?: LogLevel;
  server?: {
    /** @defaultValue '127.0.0.1' */
    host?: string;
    /** @defaultValue 8787 */
    port?: number;
    /** Largest accepted body, bytes. @defaultValue 65536 */
    bodyLimit?: number;
  };
}

/** `store:` of the configuration. */
export interface StoreConfigInput {
  /** `sqlite` (embedded, in `dataDir`) or `postgres` (PostgreSQL + Redis, N replicas). @defaultValue 'sqlite' */
  type?: string;
  /** PostgreSQL URL (`postgres://…`); env `STEPGATE_DATABASE_URL`. Required with `postgres`. */
  url?: string;
  /** Redis URL (`redis://…`); env `STEPGATE_REDIS_URL`. Required with `postgres`. */
  redis?: string;
  /**
   * Run pending PostgreSQL migrations at start (otherwise `stepgate migrate` does, and a replica
   * on an older schema refuses to start). SQLite always migrates at start. @defaultValue false
   */
  migrate?: boolean;
  /** Prefix of every Redis key (several deployments may share one Redis). @defaultValue 'stepgate:' */
  prefix?: string;
}

/** `store:` with its defaults. */
export interface StoreSettings {
  type: string;
  url?: string;
  redis?: string;
  migrate: boolean;
  prefix?: string;
}

/** The configuration with every default filled and durations in seconds. */
export interface ServiceConfig {
  issuer: string;
  audiences: string[];
  acrValues: AcrValues;
  tokens: { lifetime: number; deviceLifetime: number; clockSkew: number };
  audit: AuditSettings;
  challenges: ChallengeSettings;
  enrollment: EnrollmentSettings;
  senders: SendersConfig;
  webauthn: WebAuthnSettings;
  users: UsersSettings;
  idps: IdpSettings[];
  metrics: MetricsSettings;
  /** The operator console at `/console` (on with `--dev`). */
  console: { enabled: boolean };
  history: { window: number };
  /** Seconds a decision is kept for feedback. */
  decisions: { retention: number };
  idempotency: { ttl: number };
  origins: string[];
  trustedClients: string[];
  policies: string[];
  ipLists: Record<string, string>;
  maxmindDb?: string;
  dataDir: string;
  store: StoreSettings;
  keyFile: string;
  logLevel: LogLevel;
  server: { host: string; port: number; bodyLimit: number };
}

/**
 * `decisions.retention` by default, seconds: chargebacks and fraud reports arrive up to about
 * 120 days after a payment, so feedback is accepted for 180 days.
 */
export const DECISION_RETENTION_DEFAULT = 180 * 86_400;

/** Audiences when the configuration names none. */
export const DEFAULT_AUDIENCES: readonly string[] = Object.freeze(['default']);

/** Fills defaults (see {@link ServiceConfigInput}); the input must already be schema-valid. */
export function normalizeConfig(input: ServiceConfigInput): ServiceConfig {
  const dataDir = input.dataDir ?? './stepgate-data';
  const audiences = input.audiences ?? DEFAULT_AUDIENCES;
  const config: ServiceConfig = {
    issuer: input.issuer ?? 'urn:stepgate',
    audiences: [...audiences],
    acrValues: { ...DEFAULT_ACR_VALUES, ...input.acrValues },
    tokens: {
      lifetime: durationSeconds(input.tokens?.lifetime ?? 300),
      deviceLifetime: durationSeconds(input.tokens?.deviceLifetime ?? '30d'),
      clockSkew: durationSeconds(input.tokens?.clockSkew ?? 30),
    },
    audit: normalizeAudit(input.audit),
    challenges: normalizeChallenges(input.challenges),
    enrollment: normalizeEnrollment(input.enrollment),
    senders: input.senders ?? {},
    webauthn: normalizeWebAuthn(input.webauthn, input.origins ?? []),
    users: normalizeUsers(input.users, audiences),
    idps: (input.idps ?? []).map((idp, i) => normalizeIdp(idp, { path: `/idps/${i}/issuer` })),
    metrics: normalizeMetrics(input.metrics),
    console: { enabled: input.console?.enabled ?? false },
    history: { window: durationSeconds(input.history?.window ?? '1h') },
    decisions: { retention: durationSeconds(input.decisions?.retention ?? DECISION_RETENTION_DEFAULT) },
    idempotency: { ttl: durationSeconds(input.idempotency?.ttl ?? '24h') },
    origins: input.origins ?? [],
    trustedClients: input.trustedClients ?? [],
    policies: input.policies ?? [],
    ipLists: input.ipLists ?? {},
    dataDir,
    store: {
      type: input.store?.type ?? 'sqlite',
      migrate: input.store?.migrate ?? false,
      ...(input.store?.url !== undefined ? { url: input.store.url } : {}),
      ...(input.store?.redis !== undefined ? { redis: input.store.redis } : {}),
      ...(input.store?.prefix !== undefined ? { prefix: input.store.prefix } : {}),
    },
    keyFile: input.keyFile ?? `${dataDir}/stepgate.key`,
    logLevel: input.logLevel ?? 'info',
    server: {
      host: input.server?.host ?? '127.0.0.1',
      port: input.server?.port ?? 8787,
      bodyLimit: input.server?.bodyLimit ?? 65_536,
    },
  };
  if (input.maxmindDb !== undefined) config.maxmindDb = input.maxmindDb;
  return config;
}
