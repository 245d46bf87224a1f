/**
 * Wire-body schemas used by the routes. TEMPORARY: these mirror `@stepgate/protocol`'s types until
 * its `schemas.ts` lands; then this module re-exports the protocol's schemas instead.
 */
import { LEVELS, METHODS } from '@stepgate/protocol';

const str = (maxLength: number) => ({ type: 'string', maxLength }) as const;
const openObject = { type: 'object', maxProperties: 100 } as const;

const deviceContext = {
  type: 'object',
  additionalProperties: false,
  required: ['v', 'deviceId', 'fingerprint', 'signals'],
  properties: {
    v: { const: 1 },
    deviceId: { type: 'string', minLength: 1, maxLength: 128 },
    fingerprint: { type: 'string', minLength: 1, maxLength: 128 },
    deviceToken: str(4096),
    signals: { type: 'object', maxProperties: 32 },
  },
} as const;

/** Body of `POST /v1/decisions`. */
export const decisionRequestSchema = {
  $id: 'https://stepgate.dev/schemas/decisionRequest.json',
  type: 'object',
  additionalProperties: false,
  required: ['subject', 'action'],
  properties: {
    subject: {
      type: 'object',
      additionalProperties: false,
      required: ['id'],
      properties: {
        id: { type: 'string', minLength: 1, maxLength: 256 },
        sessionId: str(256),
        authTime: { type: 'integer', minimum: 0, maximum: 1e11 },
        acr: str(256),
        roles: { type: 'array', maxItems: 100, items: str(128) },
      },
    },
    action: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: { name: { type: 'string', minLength: 1, maxLength: 128 } },
    },
    resource: {
      type: 'object',
      additionalProperties: false,
      properties: { type: str(128), id: str(256), attributes: openObject },
    },
    transaction: openObject,
    context: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ip: str(64),
        userAgent: str(1024),
        device: deviceContext,
        geo: {
          type: 'object',
          additionalProperties: false,
          properties: {
            country: { type: 'string', pattern: '^[A-Za-z]{2}$' },
            lat: { type: 'number', minimum: -90, maximum: 90 },
            lon: { type: 'number', minimum: -180, maximum: 180 },
          },
        },
      },
    },
    stepUpToken: { type: 'string', minLength: 1, maxLength: 8192 },
  },
} as const;

/** Body of `PUT /v1/users/{id}`. */
export const userUpsertRequestSchema = {
  $id: 'https://stepgate.dev/schemas/userUpsertRequest.json',
  type: 'object',
  additionalProperties: false,
  properties: {
    displayName: str(200),
    email: { anyOf: [{ type: 'string', maxLength: 320, pattern: '^[^@\\s]+@[^@\\s]+$' }, { type: 'null' }] },
    phone: { anyOf: [{ type: 'string', pattern: '^\\+[1-9][0-9]{6,14}$' }, { type: 'null' }] },
  },
} as const;

/** Answer of `PUT /v1/users/{id}`. */
export const userViewSchema = {
  $id: 'https://stepgate.dev/schemas/userView.json',
  type: 'object',
  required: ['id'],
  properties: { id: str(256), displayName: str(200), email: str(320), phone: str(16) },
} as const;

/** Body of `POST /v1/decisions/{id}/feedback`. */
export const feedbackRequestSchema = {
  $id: 'https://stepgate.dev/schemas/feedbackRequest.json',
  type: 'object',
  additionalProperties: false,
  required: ['label'],
  properties: { label: { enum: ['fraud', 'legit'] }, note: str(1000) },
} as const;

/** Every error answer. */
export const errorBodySchema = {
  $id: 'https://stepgate.dev/schemas/errorBody.json',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        attemptsLeft: { type: 'integer' },
        path: { type: 'string' },
        retryAfter: { type: 'integer' },
      },
    },
  },
} as const;

/** Answer of `POST /v1/decisions`. */
export const decisionResponseSchema = {
  $id: 'https://stepgate.dev/schemas/decisionResponse.json',
  type: 'object',
  required: ['decisionId', 'decision', 'reasons', 'risk', 'reportOnly', 'policyVersion'],
  properties: {
    decisionId: { type: 'string' },
    decision: { enum: ['allow', 'step_up', 'deny'] },
    reasons: { type: 'array', items: { type: 'object' } },
    risk: { type: 'object' },
    requirement: {
      type: 'object',
      properties: {
        level: { enum: [...LEVELS] },
        acr: { type: 'string' },
        maxAge: { type: 'integer' },
        methods: { type: 'array', items: { enum: [...METHODS] } },
        bindTransaction: { type: 'boolean' },
        singleUse: { type: 'boolean' },
      },
    },
    challenge: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        expiresAt: { type: 'string' },
        methods: { type: 'array', items: { enum: [...METHODS] } },
      },
    },
    reportOnly: { type: 'array', items: { type: 'object' } },
    policyVersion: { type: 'string' },
  },
} as const;
