/** Row ↔ record mapping for the SQLite store: NULL columns become absent fields. */
import type { Level, Method } from '@stepgate/protocol';
import type {
  ApiKeyRecord,
  ChallengeRecord,
  ConsoleSessionRecord,
  DecisionRecord,
  DeviceTokenRecord,
  FactorRecord,
  SigningKeyRecord,
  SigningKeyUse,
  UserRecord,
} from '../store.js';

/** A row as better-sqlite3 returns it. */
export type Row = Record<string, unknown>;

/** Copies the defined entries of `fields` into `target` (for `exactOptionalPropertyTypes`). */
export function withOptional<T extends object>(target: T, fields: Record<string, unknown>): T {
  for (const [key, value] of Object.entries(fields)) {
    if (value !== null && value !== undefined) (target as Record<string, unknown>)[key] = value;
  }
  return target;
}

/** A `console_sessions` row as a record. */
export const consoleSessionFromRow = (r: Row): ConsoleSessionRecord => ({
  idHash: r.id_hash as string,
  keySealed: r.key_sealed as string,
  createdAt: r.created_at as number,
  expiresAt: r.expires_at as number,
});

/** A `api_keys` row as a record. */
export const apiKeyFromRow = (r: Row): ApiKeyRecord =>
  withOptional(
    {
      id: r.id as string,
      hash: r.hash as string,
      audience: r.audience as string,
      admin: r.admin === 1,
      createdAt: r.created_at as number,
    },
    { label: r.label, revokedAt: r.revoked_at },
  );

/** A `signing_keys` row as a record. */
export const signingKeyFromRow = (r: Row): SigningKeyRecord =>
  withOptional(
    {
      kid: r.kid as string,
      use: r.use as SigningKeyUse,
      alg: 'ES256' as const,
      publicJwk: r.public_jwk as string,
      privateSealed: r.private_sealed as string,
      createdAt: r.created_at as number,
    },
    { retiredAt: r.retired_at },
  );

/** A `users` row as a record. */
export const userFromRow = (r: Row): UserRecord =>
  withOptional(
    { id: r.id as string, updatedAt: r.updated_at as number },
    { displayName: r.display_name, email: r.email, phone: r.phone },
  );

/** A `factors` row as a record. */
export const factorFromRow = (r: Row): FactorRecord =>
  withOptional(
    {
      id: r.id as string,
      userId: r.user_id as string,
      method: r.method as Method,
      maxLevel: r.max_level as Level,
      createdAt: r.created_at as number,
    },
    { label: r.label, data: r.data, lastUsedAt: r.last_used_at },
  );

/** A `decisions` row as a record. */
export const decisionFromRow = (r: Row): DecisionRecord => ({
  id: r.id as string,
  at: r.at as number,
  userId: r.user_id as string,
  action: r.action as string,
  decision: r.decision as DecisionRecord['decision'],
  apiKeyId: r.api_key_id as string,
  policyVersion: r.policy_version as string,
});

/** A `challenges` row as a record. */
export const challengeFromRow = (r: Row): ChallengeRecord =>
  withOptional(
    {
      id: r.id as string,
      userId: r.user_id as string,
      action: r.action as string,
      digest: r.digest as string,
      requirement: r.requirement as string,
      methods: JSON.parse(r.methods as string) as Method[],
      decisionId: r.decision_id as string,
      audience: r.audience as string,
      createdAt: r.created_at as number,
      expiresAt: r.expires_at as number,
      status: r.status as ChallengeRecord['status'],
      attempts: r.attempts as number,
    },
    { sessionId: r.session_id, transaction: r.txn },
  );

/** A `device_tokens` row as a record. */
export const deviceTokenFromRow = (r: Row): DeviceTokenRecord =>
  withOptional(
    {
      jti: r.jti as string,
      userId: r.user_id as string,
      deviceId: r.device_id as string,
      issuedAt: r.issued_at as number,
      expiresAt: r.expires_at as number,
    },
    { revokedAt: r.revoked_at },
  );
