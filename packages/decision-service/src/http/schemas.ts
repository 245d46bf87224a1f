/**
 * Route schemas of the service's own routes (params, headers, answers the protocol package does
 * not define). Bodies of the wire contract come from `@stepgate/protocol`'s schemas.
 */
const str = (maxLength: number, extra: Record<string, unknown> = {}) =>
  ({ type: 'string', minLength: 1, maxLength, ...extra }) as const;

/** `{ id }` path parameter of users. */
export const userIdParamsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: str(256) },
} as const;

/** `{ id }` path parameter of decisions. */
export const decisionIdParamsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: str(64, { pattern: '^dec_[A-Za-z0-9_-]+$' }) },
} as const;

/** Headers read by `POST /v1/decisions`. */
export const decisionHeadersSchema = {
  type: 'object',
  properties: {
    'idempotency-key': str(255, { pattern: '^[\\x21-\\x7e]+$' }),
    'stepgate-client-ip': str(64),
  },
} as const;

/** Answer of `GET /.well-known/jwks.json`. */
export const jwksSchema = {
  type: 'object',
  required: ['keys'],
  properties: {
    keys: {
      type: 'array',
      items: {
        type: 'object',
        required: ['kty', 'crv', 'x', 'y', 'kid', 'alg', 'use'],
        properties: {
          kty: { const: 'EC' },
          crv: { const: 'P-256' },
          x: { type: 'string' },
          y: { type: 'string' },
          kid: { type: 'string' },
          alg: { const: 'ES256' },
          use: { const: 'sig' },
        },
      },
    },
  },
} as const;

/** Answer of `/healthz` and `/readyz`. */
export const healthSchema = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { enum: ['ok', 'unavailable'] },
    version: { type: 'string' },
    policyVersion: { type: 'string' },
  },
} as const;
