/** Schemas of the challenge endpoints the widget calls (`/v1/challenges/{id}…`). */
import { amr, dateTime, level, method, obj, openMap, SCHEMA_LIMITS, schemaId, str } from './common.js';

/** Answer of `GET /v1/challenges/{id}` (`ChallengeView`). */
export const challengeViewSchema = {
  $id: schemaId('challengeView'),
  ...obj(
    {
      id: str(SCHEMA_LIMITS.id),
      status: { type: 'string', enum: ['pending', 'verified', 'failed', 'expired'] },
      action: str(SCHEMA_LIMITS.name),
      actionLabel: {
        type: 'object',
        maxProperties: 64,
        propertyNames: { maxLength: 35 },
        additionalProperties: str(120),
      },
      transaction: openMap,
      level,
      acr: str(SCHEMA_LIMITS.name),
      methods: {
        type: 'array',
        maxItems: 8,
        items: obj(
          {
            method,
            destination: str(SCHEMA_LIMITS.name),
            lock: {
              oneOf: [
                obj({ state: { const: 'locked' } }, ['state']),
                obj({ state: { const: 'waiting' }, until: dateTime }, ['state', 'until']),
              ],
            },
          },
          ['method'],
        ),
      },
      attemptsLeft: { type: 'integer', minimum: 0 },
      expiresAt: dateTime,
    },
    ['id', 'status', 'action', 'level', 'acr', 'methods', 'attemptsLeft', 'expiresAt'],
  ),
} as const;

/** Body of `POST /v1/challenges/{id}/start` (`StartRequest`). */
export const startRequestSchema = { $id: schemaId('startRequest'), ...obj({ method }, ['method']) } as const;

/** `start` answer for `email_otp` and `sms_otp` (`CodeSentAnswer`). */
export const codeSentAnswerSchema = {
  $id: schemaId('codeSentAnswer'),
  ...obj({ sentTo: str(SCHEMA_LIMITS.name), resendAfter: { type: 'integer', minimum: 0 } }, [
    'sentTo',
    'resendAfter',
  ]),
} as const;

/** `start` answer for `webauthn` and `biometric` (`WebAuthnStartAnswer`). */
export const webAuthnStartAnswerSchema = {
  $id: schemaId('webAuthnStartAnswer'),
  ...obj({ publicKey: openMap }, ['publicKey']),
} as const;

/** `start` answer for `totp` (`TotpStartAnswer`): an empty object. */
export const totpStartAnswerSchema = { $id: schemaId('totpStartAnswer'), ...obj({}, []) } as const;

/**
 * Any `start` answer (`StartAnswer`): exactly one of a code-sent answer, WebAuthn options or `{}`.
 * The members are listed once at the top so Ajv's `removeAdditional` never strips a valid one.
 */
export const startAnswerSchema = {
  $id: schemaId('startAnswer'),
  type: 'object',
  additionalProperties: false,
  properties: {
    sentTo: str(SCHEMA_LIMITS.name),
    resendAfter: { type: 'integer', minimum: 0 },
    publicKey: openMap,
  },
  oneOf: [
    {
      properties: { sentTo: str(SCHEMA_LIMITS.name), resendAfter: { type: 'integer', minimum: 0 } },
      required: ['sentTo', 'resendAfter'],
    },
    { properties: { publicKey: openMap }, required: ['publicKey'] },
    { maxProperties: 0 },
  ],
} as const;

const otpCode = { type: 'string', pattern: '^[0-9]{6,8}$', minLength: 6, maxLength: 8 } as const;
const base64url = (maxLength: number) =>
  ({ type: 'string', pattern: '^[A-Za-z0-9_-]+$', minLength: 1, maxLength }) as const;

const deviceKey = obj({ keyId: str(SCHEMA_LIMITS.id), signature: base64url(512) }, ['keyId', 'signature']);

/**
 * Body of `POST /v1/challenges/{id}/verify` (`VerifyRequest`): a code, a WebAuthn response, or a
 * native device-key signature. The members are listed once at the top (so Ajv's
 * `removeAdditional` never strips a valid one) and each branch says which may appear.
 */
export const verifyRequestSchema = {
  $id: schemaId('verifyRequest'),
  type: 'object',
  additionalProperties: false,
  required: ['method'],
  properties: {
    method: { type: 'string', enum: ['totp', 'email_otp', 'sms_otp', 'webauthn', 'biometric'] },
    code: otpCode,
    response: openMap,
    deviceKey,
    rememberDevice: { type: 'boolean' },
  },
  oneOf: [
    // `false`: the member must be absent in this branch.
    {
      properties: {
        method: { type: 'string', enum: ['totp', 'email_otp', 'sms_otp'] },
        code: otpCode,
        response: false,
        deviceKey: false,
      },
      required: ['code'],
    },
    {
      properties: {
        method: { type: 'string', enum: ['webauthn', 'biometric'] },
        response: openMap,
        code: false,
        deviceKey: false,
      },
      required: ['response'],
    },
    {
      properties: { method: { type: 'string', const: 'biometric' }, deviceKey, code: false, response: false },
      required: ['deviceKey'],
    },
  ],
} as const;

/** Answer of a successful verify (`VerifyAnswer`). */
export const verifyAnswerSchema = {
  $id: schemaId('verifyAnswer'),
  ...obj(
    {
      token: str(SCHEMA_LIMITS.token),
      acr: str(SCHEMA_LIMITS.name),
      amr,
      expiresAt: dateTime,
      deviceToken: str(SCHEMA_LIMITS.token),
    },
    ['token', 'acr', 'amr', 'expiresAt'],
  ),
} as const;

/** Body of any failed verify (`ChallengeFailedBody`, S10). */
export const challengeFailedSchema = {
  $id: schemaId('challengeFailed'),
  ...obj(
    {
      error: obj(
        {
          code: { type: 'string', const: 'challenge_failed' },
          message: str(SCHEMA_LIMITS.text),
          attemptsLeft: { type: 'integer', minimum: 0 },
        },
        ['code', 'message', 'attemptsLeft'],
      ),
    },
    ['error'],
  ),
} as const;
