/**
 * JSON Schema of the service configuration (`stepgate.yaml`, docs/deployment.md). Every field is
 * optional in the file; `normalizeConfig` fills the defaults.
 */
import { auditConfigSchema } from './audit-config.js';
import {
  challengeConfigProblems,
  challengesConfigSchema,
  enrollmentConfigSchema,
  REMOVED_SETTINGS,
  SENDER_ENV_VARS,
  sendersConfigSchema,
} from './challenge-config.js';
import { durationSeconds, RETENTION_BOUNDS } from './duration.js';
import { idpsConfigSchema } from './idps-config.js';
import { metricsConfigSchema } from './metrics-config.js';
import type { ServiceConfigInput } from './service-config.js';
import { usersConfigSchema } from './users-config.js';
import { webAuthnConfigSchema } from './webauthn-config.js';

const duration = {
  anyOf: [
    { type: 'integer', minimum: 0, maximum: 31_536_000 },
    { type: 'string', pattern: '^(\\d+[smhd])+$', maxLength: 32 },
  ],
} as const;
/** A retention: seconds from an hour to ten years, or a duration string ({@link retentionProblems}). */
const retentionDuration = {
  anyOf: [
    { type: 'integer', minimum: RETENTION_BOUNDS.min, maximum: RETENTION_BOUNDS.max },
    { type: 'string', pattern: '^(\\d+[smhd])+$', maxLength: 32 },
  ],
} as const;
const stringList = (maxLength: number) =>
  ({ type: 'array', items: { type: 'string', minLength: 1, maxLength }, maxItems: 100 }) as const;

/** The configuration schema. */
export const configSchema = {
  $id: 'https://stepgate.dev/schemas/config.json',
  type: 'object',
  additionalProperties: false,
  properties: {
    issuer: { type: 'string', minLength: 1, maxLength: 500 },
    audiences: { ...stringList(200), minItems: 1 },
    acrValues: {
      type: 'object',
      additionalProperties: false,
      properties: {
        aal1: { type: 'string', minLength: 1, maxLength: 200 },
        aal2: { type: 'string', minLength: 1, maxLength: 200 },
        aal3: { type: 'string', minLength: 1, maxLength: 200 },
      },
    },
    tokens: {
      type: 'object',
      additionalProperties: false,
      properties: { lifetime: duration, deviceLifetime: duration, clockSkew: duration },
    },
    audit: auditConfigSchema,
    challenges: challengesConfigSchema,
    enrollment: enrollmentConfigSchema,
    senders: sendersConfigSchema,
    webauthn: webAuthnConfigSchema,
    users: usersConfigSchema,
    idps: idpsConfigSchema,
    metrics: metricsConfigSchema,
    console: { type: 'object', additionalProperties: false, properties: { enabled: { type: 'boolean' } } },
    history: { type: 'object', additionalProperties: false, properties: { window: duration } },
    decisions: {
      type: 'object',
      additionalProperties: false,
      properties: { retention: retentionDuration },
    },
    idempotency: { type: 'object', additionalProperties: false, properties: { ttl: duration } },
    origins: stringList(500),
    trustedClients: stringList(64),
    policies: stringList(1000),
    ipLists: {
      type: 'object',
      maxProperties: 50,
      propertyNames: { pattern: '^[A-Za-z0-9_.-]{1,64}$' },
      additionalProperties: { type: 'string', minLength: 1, maxLength: 1000 },
    },
    maxmindDb: { type: 'string', minLength: 1, maxLength: 1000 },
    dataDir: { type: 'string', minLength: 1, maxLength: 1000 },
    store: {
      type: 'object',
      additionalProperties: false,
      properties: {
        type: { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,31}$' },
        url: { type: 'string', pattern: '^postgres(ql)?://', maxLength: 2000 },
        redis: { type: 'string', pattern: '^rediss?://', maxLength: 2000 },
        migrate: { type: 'boolean' },
        prefix: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' },
      },
    },
    keyFile: { type: 'string', minLength: 1, maxLength: 1000 },
    logLevel: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    server: {
      type: 'object',
      additionalProperties: false,
      properties: {
        host: { type: 'string', minLength: 1, maxLength: 255 },
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        bodyLimit: { type: 'integer', minimum: 1024, maximum: 10_485_760 },
      },
    },
  },
} as const;

/** Environment variables and the config path each one sets. */
export const ENV_VARS = {
  STEPGATE_ISSUER: { path: ['issuer'], kind: 'string' },
  STEPGATE_AUDIENCES: { path: ['audiences'], kind: 'list' },
  STEPGATE_ORIGINS: { path: ['origins'], kind: 'list' },
  STEPGATE_TRUSTED_CLIENTS: { path: ['trustedClients'], kind: 'list' },
  STEPGATE_POLICIES: { path: ['policies'], kind: 'list' },
  STEPGATE_MAXMIND_DB: { path: ['maxmindDb'], kind: 'string' },
  STEPGATE_DATA_DIR: { path: ['dataDir'], kind: 'string' },
  STEPGATE_STORE: { path: ['store', 'type'], kind: 'string' },
  STEPGATE_DATABASE_URL: { path: ['store', 'url'], kind: 'string' },
  STEPGATE_REDIS_URL: { path: ['store', 'redis'], kind: 'string' },
  STEPGATE_KEY_FILE: { path: ['keyFile'], kind: 'string' },
  STEPGATE_LOG_LEVEL: { path: ['logLevel'], kind: 'string' },
  STEPGATE_HOST: { path: ['server', 'host'], kind: 'string' },
  STEPGATE_PORT: { path: ['server', 'port'], kind: 'integer' },
  STEPGATE_TOKEN_LIFETIME: { path: ['tokens', 'lifetime'], kind: 'duration' },
  STEPGATE_METRICS_HOST: { path: ['metrics', 'listener', 'host'], kind: 'string' },
  STEPGATE_METRICS_PORT: { path: ['metrics', 'listener', 'port'], kind: 'integer' },
  ...SENDER_ENV_VARS,
  STEPGATE_WEBAUTHN_RP_ID: { path: ['webauthn', 'rpId'], kind: 'string' },
  STEPGATE_WEBAUTHN_ORIGINS: { path: ['webauthn', 'origins'], kind: 'list' },
} as const satisfies Record<
  string,
  { path: readonly string[]; kind: 'string' | 'list' | 'integer' | 'duration' }
>;

/** Settings that no longer exist, by JSON pointer, with what to do instead. */
export { REMOVED_SETTINGS };

/**
 * Problems of a configuration that passed {@link configSchema} but that a schema cannot express
 * (ranges of duration strings, one setting against another), each with its JSON pointer.
 */
export function configProblems(input: ServiceConfigInput): { path: string; message: string }[] {
  return [...challengeConfigProblems(input.challenges), ...retentionProblems(input)];
}

/**
 * Retentions written as duration strings, which the schema cannot bound: each from an hour to
 * ten years (`decisions.retention`, `audit.replay.retention`).
 */
function retentionProblems(input: ServiceConfigInput): { path: string; message: string }[] {
  const settings = [
    ['/decisions/retention', input.decisions?.retention],
    ['/audit/replay/retention', input.audit?.replay?.retention],
  ] as const;
  const { min, max } = RETENTION_BOUNDS;
  const outside = (seconds: number) => !(seconds >= min && seconds <= max);
  return settings
    .filter(([, value]) => value !== undefined && outside(durationSeconds(value)))
    .map(([path]) => ({ path, message: 'must be from 1h to 3650d' }));
}

/**
 * Problems of `store:` once the environment applied (its URLs may come from `STEPGATE_DATABASE_URL`
 * and `STEPGATE_REDIS_URL`), each with its JSON pointer.
 */
export function storeConfigProblems(store: ServiceConfigInput['store']): { path: string; message: string }[] {
  if (store?.type !== 'postgres') return [];
  const out: { path: string; message: string }[] = [];
  if (store.url === undefined)
    out.push({ path: '/store/url', message: 'type postgres needs a url (or STEPGATE_DATABASE_URL)' });
  if (store.redis === undefined)
    out.push({ path: '/store/redis', message: 'type postgres needs a redis url (or STEPGATE_REDIS_URL)' });
  return out;
}
