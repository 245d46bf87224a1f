/**
 * The `challenges`, `enrollment` and `senders` sections of the configuration: their JSON Schema
 * parts (spread into `configSchema`) and the function that fills their defaults.
 */
import {
  type ChallengeSettings,
  DEFAULT_CHALLENGE_SETTINGS,
  DEFAULT_ENROLLMENT_SETTINGS,
  type EnrollmentSettings,
} from '../challenges/challenge-settings.js';
import type { SendersConfig } from '../senders/sender.js';
import { type DurationInput, durationSeconds } from './duration.js';

/** `challenges` as written in the file. Durations: seconds or `5m`, `1h`… */
export interface ChallengesConfigInput {
  /** @defaultValue 300 */
  lifetime?: DurationInput;
  /** Failures that kill a challenge (S26). @defaultValue 5 */
  maxFailures?: number;
  /** @defaultValue '10m' */
  codeLifetime?: DurationInput;
  /** @defaultValue 30 */
  resendAfter?: DurationInput;
  /** @defaultValue true */
  rememberDevice?: boolean;
  /** @defaultValue `{ authenticator: 20, user: 10, backoff: { after: 5, base: 30, max: '1h' } }` */
  lockout?: {
    authenticator?: number;
    user?: number;
    backoff?: { after?: number; base?: DurationInput; max?: DurationInput };
  };
  /** @defaultValue `{ window: 60, startPerIp: 30, startPerUser: 10, verifyPerIp: 60, verifyPerUser: 30 }` */
  rateLimits?: {
    window?: DurationInput;
    startPerIp?: number;
    startPerUser?: number;
    verifyPerIp?: number;
    verifyPerUser?: number;
  };
}

/** `enrollment` as written in the file. */
export interface EnrollmentConfigInput {
  /** @defaultValue '10m' */
  ticketLifetime?: DurationInput;
  /** @defaultValue 'Stepgate' */
  totpIssuer?: string;
}

const duration = {
  anyOf: [
    { type: 'integer', minimum: 0, maximum: 31_536_000 },
    { type: 'string', pattern: '^(\\d+[smhd])+$', maxLength: 32 },
  ],
} as const;
const count = (maximum: number) => ({ type: 'integer', minimum: 1, maximum }) as const;
const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const;

/** Schema of `challenges`. */
export const challengesConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    lifetime: duration,
    maxFailures: count(20),
    codeLifetime: duration,
    resendAfter: duration,
    rememberDevice: { type: 'boolean' },
    lockout: {
      type: 'object',
      additionalProperties: false,
      // S7, S35: an authenticator locks after at most 100 consecutive failures (NIST SP 800-63B
      // §5.2.2); `duration` (a lock that ended by itself) is gone: see REMOVED_SETTINGS.
      properties: {
        authenticator: count(100),
        user: count(100),
        backoff: {
          type: 'object',
          additionalProperties: false,
          properties: { after: count(100), base: duration, max: duration },
        },
        duration: false,
      },
    },
    rateLimits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        window: duration,
        startPerIp: count(100_000),
        startPerUser: count(100_000),
        verifyPerIp: count(100_000),
        verifyPerUser: count(100_000),
      },
    },
  },
} as const;

/** Schema of `enrollment`. */
export const enrollmentConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { ticketLifetime: duration, totpIssuer: text(100) },
} as const;

const sender = (types: readonly string[]) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    properties: {
      type: { enum: types },
      url: { type: 'string', pattern: '^https?://', maxLength: 2000 },
      secret: { type: 'string', minLength: 32, maxLength: 500 },
      timeout: { type: 'integer', minimum: 1, maximum: 60 },
      host: text(255),
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      secure: { type: 'boolean' },
      user: text(500),
      password: text(500),
      from: text(500),
    },
    // A webhook needs url and secret; SMTP needs host and from.
    anyOf: [
      { properties: { type: { const: 'dev' } } },
      { properties: { type: { const: 'webhook' }, url: true, secret: true }, required: ['url', 'secret'] },
      { properties: { type: { const: 'smtp' }, host: true, from: true }, required: ['host', 'from'] },
    ],
  }) as const;

/** Schema of `senders`: how email and SMS codes and notices leave the service. */
export const sendersConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { email: sender(['webhook', 'smtp', 'dev']), sms: sender(['webhook', 'dev']) },
} as const;

/**
 * Settings that no longer exist, by JSON pointer, with what to do instead (reported at their
 * location instead of a bare "unknown setting").
 */
export const REMOVED_SETTINGS: Readonly<Record<string, string>> = {
  '/challenges/lockout/duration':
    'is no longer a setting: a lock that ends by itself is a throttle, not a lockout (S35). An authenticator now stays locked after lockout.authenticator failures until another factor at its level or "stepgate factor unlock"; below that, lockout.backoff sets the waits',
};

/** Limits of the back-off, seconds: a back-off that never waits is no throttle (S35). */
const BACKOFF_LIMITS = { base: { min: 1, max: 3600 }, max: { min: 60, max: 86_400 } } as const;

/**
 * Checks of `challenges` that a JSON Schema cannot make (durations may be strings): the back-off
 * waits at least a second at first and a minute at most, never more than a day, and its longest
 * wait is not below its first. Each problem names its JSON pointer.
 */
export function challengeConfigProblems(
  input: ChallengesConfigInput = {},
): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const backoff = input.lockout?.backoff;
  const d = DEFAULT_CHALLENGE_SETTINGS.lockout.backoff;
  const seconds = { base: d.base, max: d.max };
  for (const key of ['base', 'max'] as const) {
    const value = backoff?.[key];
    if (value === undefined) continue;
    const s = durationSeconds(value);
    const { min, max } = BACKOFF_LIMITS[key];
    if (s < min || s > max) {
      problems.push({
        path: `/challenges/lockout/backoff/${key}`,
        message: `must be from ${min} s to ${max} s: a back-off that never waits is no throttle (S35)`,
      });
    }
    seconds[key] = s;
  }
  if (problems.length === 0 && seconds.max < seconds.base) {
    problems.push({
      path: `/challenges/lockout/backoff/${backoff?.max === undefined ? 'base' : 'max'}`,
      message: `the longest wait (${seconds.max} s) is below the first (${seconds.base} s)`,
    });
  }
  return problems;
}

/** Fills the defaults of `challenges` (durations in seconds). */
export function normalizeChallenges(input: ChallengesConfigInput = {}): ChallengeSettings {
  const d = DEFAULT_CHALLENGE_SETTINGS;
  const secs = (v: DurationInput | undefined, dflt: number) => (v === undefined ? dflt : durationSeconds(v));
  return {
    lifetime: secs(input.lifetime, d.lifetime),
    maxFailures: input.maxFailures ?? d.maxFailures,
    codeLifetime: secs(input.codeLifetime, d.codeLifetime),
    resendAfter: secs(input.resendAfter, d.resendAfter),
    rememberDevice: input.rememberDevice ?? d.rememberDevice,
    lockout: {
      authenticator: input.lockout?.authenticator ?? d.lockout.authenticator,
      user: input.lockout?.user ?? d.lockout.user,
      backoff: {
        after: input.lockout?.backoff?.after ?? d.lockout.backoff.after,
        base: secs(input.lockout?.backoff?.base, d.lockout.backoff.base),
        max: secs(input.lockout?.backoff?.max, d.lockout.backoff.max),
      },
    },
    rateLimits: {
      window: secs(input.rateLimits?.window, d.rateLimits.window),
      startPerIp: input.rateLimits?.startPerIp ?? d.rateLimits.startPerIp,
      startPerUser: input.rateLimits?.startPerUser ?? d.rateLimits.startPerUser,
      verifyPerIp: input.rateLimits?.verifyPerIp ?? d.rateLimits.verifyPerIp,
      verifyPerUser: input.rateLimits?.verifyPerUser ?? d.rateLimits.verifyPerUser,
    },
  };
}

/** Fills the defaults of `enrollment`. */
export function normalizeEnrollment(input: EnrollmentConfigInput = {}): EnrollmentSettings {
  return {
    ticketLifetime:
      input.ticketLifetime === undefined
        ? DEFAULT_ENROLLMENT_SETTINGS.ticketLifetime
        : durationSeconds(input.ticketLifetime),
    totpIssuer: input.totpIssuer ?? DEFAULT_ENROLLMENT_SETTINGS.totpIssuer,
  };
}

/** Environment variables for sender secrets, kept out of the file. */
export const SENDER_ENV_VARS = {
  STEPGATE_SMTP_PASSWORD: { path: ['senders', 'email', 'password'], kind: 'string' },
  STEPGATE_EMAIL_WEBHOOK_SECRET: { path: ['senders', 'email', 'secret'], kind: 'string' },
  STEPGATE_SMS_WEBHOOK_SECRET: { path: ['senders', 'sms', 'secret'], kind: 'string' },
} as const;

export type { SendersConfig };
