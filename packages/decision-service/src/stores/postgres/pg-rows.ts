/**
 * Checked row decoding for PostgreSQL: `pg` returns BIGINT (and COUNT) as strings and NULL as
 * null. Each accessor checks the type it reads and throws {@link RowDecodeError} on anything
 * else, so a schema drift fails loudly instead of leaking a string where a number belongs.
 */
import type { Level, Method } from '@stepgate/protocol';
import type {
  ApiKeyRecord,
  ConsoleSessionRecord,
  DecisionRecord,
  DeviceTokenRecord,
  FactorRecord,
  SigningKeyRecord,
  SigningKeyUse,
  UserRecord,
} from '../store.js';

/** A row as `pg` returns it (or a JSON object built by the query). */
export type PgRow = Record<string, unknown>;

/** A column that does not hold what the schema says. */
export class RowDecodeError extends Error {
  override readonly name = 'RowDecodeError';
}

/** A TEXT column. */
export function str(r: PgRow, col: string): string {
  const v = r[col];
  if (typeof v !== 'string') throw new RowDecodeError(`column ${col}: expected text, got ${typeof v}`);
  return v;
}

/** A nullable TEXT column (NULL: undefined). */
export function optStr(r: PgRow, col: string): string | undefined {
  return r[col] === null || r[col] === undefined ? undefined : str(r, col);
}

/** A BIGINT/INTEGER column (BIGINT arrives as a decimal string): a safe integer. */
export function int(r: PgRow, col: string): number {
  const v = r[col];
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n))
    throw new RowDecodeError(`column ${col}: expected a safe integer, got ${JSON.stringify(v)}`);
  return n;
}

/** A nullable BIGINT column. */
export function optInt(r: PgRow, col: string): number | undefined {
  return r[col] === null || r[col] === undefined ? undefined : int(r, col);
}

/** A BOOLEAN column. */
export function bool(r: PgRow, col: string): boolean {
  const v = r[col];
  if (typeof v !== 'boolean') throw new RowDecodeError(`column ${col}: expected boolean, got ${typeof v}`);
  return v;
}

/** Copies the defined entries of `fields` into `target` (for `exactOptionalPropertyTypes`). */
export function defined<T extends object>(target: T, fields: Record<string, unknown>): T {
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) (target as Record<string, unknown>)[key] = value;
  }
  return target;
}

export const pgConsoleSession = (r: PgRow): ConsoleSessionRecord => ({
  idHash: str(r, 'id_hash'),
  keySealed: str(r, 'key_sealed'),
  createdAt: int(r, 'created_at'),
  expiresAt: int(r, 'expires_at'),
});

export const pgApiKey = (r: PgRow): ApiKeyRecord =>
  defined(
    {
      id: str(r, 'id'),
      hash: str(r, 'hash'),
      audience: str(r, 'audience'),
      admin: bool(r, 'admin'),
      createdAt: int(r, 'created_at'),
    },
    { label: optStr(r, 'label'), revokedAt: optInt(r, 'revoked_at') },
  );

export const pgSigningKey = (r: PgRow): SigningKeyRecord =>
  defined(
    {
      kid: str(r, 'kid'),
      use: str(r, 'use') as SigningKeyUse,
      alg: 'ES256' as const,
      publicJwk: str(r, 'public_jwk'),
      privateSealed: str(r, 'private_sealed'),
      createdAt: int(r, 'created_at'),
    },
    { retiredAt: optInt(r, 'retired_at') },
  );

export const pgUser = (r: PgRow): UserRecord =>
  defined(
    { id: str(r, 'id'), updatedAt: int(r, 'updated_at') },
    { displayName: optStr(r, 'display_name'), email: optStr(r, 'email'), phone: optStr(r, 'phone') },
  );

export const pgFactor = (r: PgRow): FactorRecord =>
  defined(
    {
      id: str(r, 'id'),
      userId: str(r, 'user_id'),
      method: str(r, 'method') as Method,
      maxLevel: str(r, 'max_level') as Level,
      createdAt: int(r, 'created_at'),
    },
    { label: optStr(r, 'label'), data: optStr(r, 'data'), lastUsedAt: optInt(r, 'last_used_at') },
  );

export const pgDecision = (r: PgRow): DecisionRecord => ({
  id: str(r, 'id'),
  at: int(r, 'at'),
  userId: str(r, 'user_id'),
  action: str(r, 'action'),
  decision: str(r, 'decision') as DecisionRecord['decision'],
  apiKeyId: str(r, 'api_key_id'),
  policyVersion: str(r, 'policy_version'),
});

export const pgDeviceToken = (r: PgRow): DeviceTokenRecord =>
  defined(
    {
      jti: str(r, 'jti'),
      userId: str(r, 'user_id'),
      deviceId: str(r, 'device_id'),
      issuedAt: int(r, 'issued_at'),
      expiresAt: int(r, 'expires_at'),
    },
    { revokedAt: optInt(r, 'revoked_at') },
  );
