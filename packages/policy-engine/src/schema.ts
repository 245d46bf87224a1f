/**
 * The JSON Schema of a policy document, also published as docs/policy.schema.json (a test checks
 * they are identical). Valid under draft-07 and 2020-12. It checks the shape; conditions get
 * their detailed checks from the condition compiler, which reports located errors as well.
 */
import { FIELD_TYPES } from '@stepgate/protocol';

const level = { type: 'string', enum: ['aal1', 'aal2', 'aal3'] } as const;
const method = { type: 'string', enum: ['email_otp', 'sms_otp', 'totp', 'webauthn', 'biometric'] } as const;
const duration = {
  description: 'Seconds, or a duration string such as `90s`, `5m`, `1h30m`.',
  oneOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', pattern: '^(\\d{1,12}|(\\d{1,9}[smhdw])+)$', maxLength: 64 },
  ],
} as const;
const weight = { type: 'number', minimum: 0, maximum: 100 } as const;
const positive = { type: 'number', exclusiveMinimum: 0 } as const;
const methodLevel = { oneOf: [level, { const: false }] } as const;

/** The JSON Schema of a policy document (docs/policies.md). */
export const policySchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://stepgate.dev/schemas/policy.json',
  title: 'Stepgate policy document',
  type: 'object',
  additionalProperties: false,
  required: ['policies', 'default'],
  properties: {
    $schema: { type: 'string', maxLength: 2048 },
    version: { const: 1, description: 'Format version.' },
    methods: {
      description:
        'Level each method proves on its own (the acr of a token minted after it), or false to disable it.',
      type: 'object',
      additionalProperties: false,
      properties: {
        email_otp: methodLevel,
        sms_otp: methodLevel,
        totp: methodLevel,
        webauthn: methodLevel,
        biometric: methodLevel,
      },
    },
    risk: {
      type: 'object',
      additionalProperties: false,
      properties: {
        weights: {
          type: 'object',
          additionalProperties: false,
          properties: {
            newDevice: weight,
            sharedDevice: weight,
            sessionAge: weight,
            geoVelocity: weight,
            countryChange: weight,
            ipReputation: weight,
            automation: weight,
            amount: weight,
            failures: weight,
            actionVelocity: weight,
          },
        },
        thresholds: {
          type: 'object',
          additionalProperties: false,
          properties: {
            medium: { type: 'number', minimum: 0, maximum: 100 },
            high: { type: 'number', minimum: 0, maximum: 100 },
          },
        },
        impossibleTravelKmh: positive,
        minTravelKm: { type: 'number', minimum: 0 },
        sessionAgeHigh: duration,
        amountHigh: positive,
        failuresHigh: positive,
        actionCountHigh: positive,
        accountsHigh: { type: 'number', minimum: 2 },
        lists: {
          type: 'object',
          maxProperties: 256,
          additionalProperties: { type: 'number', minimum: 0, maximum: 1 },
        },
      },
    },
    ipLists: {
      type: 'object',
      maxProperties: 256,
      propertyNames: { pattern: '^[A-Za-z0-9_.-]{1,64}$' },
      additionalProperties: {
        type: 'array',
        maxItems: 100000,
        items: { type: 'string', maxLength: 64 },
      },
    },
    fields: {
      description:
        'Types of request fields, by path (transaction.amount: number). Fields conditions compare get one inferred from their operators otherwise.',
      type: 'object',
      maxProperties: 1024,
      propertyNames: { maxLength: 256 },
      additionalProperties: { type: 'string', enum: FIELD_TYPES },
    },
    actions: {
      description:
        'What each action is called for end users, per language (BCP 47 tag): `payments.transfer: { label: { en: Transfer money, fr: Virement } }`. The step-up dialog and the code messages use it; an action without a label is never named to the user.',
      type: 'object',
      maxProperties: 1024,
      propertyNames: { maxLength: 128 },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['label'],
        properties: {
          label: {
            type: 'object',
            minProperties: 1,
            maxProperties: 64,
            propertyNames: { pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$' },
            additionalProperties: { type: 'string', minLength: 1, maxLength: 120 },
          },
        },
      },
    },
    policies: {
      type: 'array',
      maxItems: 10000,
      items: { $ref: '#/definitions/policy' },
    },
    default: {
      description: 'Required (S22): the effect when no enforced policy matches.',
      type: 'string',
      enum: ['allow', 'deny'],
    },
  },
  definitions: {
    policy: {
      type: 'object',
      additionalProperties: false,
      required: ['id'],
      properties: {
        id: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$' },
        description: { type: 'string', maxLength: 2000 },
        mode: { type: 'string', enum: ['enforce', 'report-only'] },
        when: { $ref: '#/definitions/condition' },
        effect: { type: 'string', enum: ['allow', 'step_up', 'deny'] },
        require: {
          type: 'object',
          additionalProperties: false,
          required: ['level'],
          properties: {
            level,
            maxAge: duration,
            methods: { type: 'array', minItems: 1, maxItems: 5, uniqueItems: true, items: method },
            bindTransaction: { type: 'boolean' },
            anyAction: {
              type: 'boolean',
              description:
                'Accept an upgraded token minted for another action (S34: by default a token counts only for the action it was minted for).',
            },
            performer: {
              type: 'string',
              pattern: '^(stepgate|any|idp:[A-Za-z0-9_-]{1,64})$',
              description:
                'Who performs the step-up: stepgate (default), idp:<id> (a configured OpenID Connect provider) or any.',
            },
          },
        },
        onMissing: {
          description:
            "When a request field the condition needs is missing. Default: the policy's effect for deny and step-up policies, skip for allow policies.",
          type: 'string',
          enum: ['step_up', 'deny', 'skip'],
        },
      },
    },
    condition: {
      description:
        'A mapping (all of its entries) from field paths or all/any/not to operands, or a list of conditions (all).',
      oneOf: [
        { type: 'object', maxProperties: 64 },
        { type: 'array', maxItems: 256, items: { $ref: '#/definitions/condition' } },
      ],
    },
  },
} as const;
