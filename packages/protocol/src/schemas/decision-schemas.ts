/** Schemas of the decision API and of a guarded route's answers (docs/design/wire-contract.md). */
import {
  challengeRef,
  decision,
  errorCode,
  fieldType,
  fixedError,
  obj,
  openMap,
  providerStepUps,
  reasons,
  requirement,
  SCHEMA_LIMITS,
  schemaId,
  stepUpContext,
  stepUpInfo,
  str,
  subject,
} from './common.js';

/** Body of `POST /v1/decisions` (`DecisionRequest`). */
export const decisionRequestSchema = {
  $id: schemaId('decisionRequest'),
  ...obj(
    {
      subject,
      action: obj({ name: str(SCHEMA_LIMITS.name) }, ['name']),
      resource: obj({ type: str(SCHEMA_LIMITS.name), id: str(SCHEMA_LIMITS.id), attributes: openMap }, []),
      transaction: openMap,
      context: obj(
        {
          // An address, or nothing: a policy on `risk.ip.*` must never read a malformed one as
          // "on no list" (a Tor exit sent as garbage would skip its deny).
          ip: { type: 'string', maxLength: 64, anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] },
          userAgent: str(1024),
          device: stepUpContext,
          geo: obj(
            {
              country: { type: 'string', pattern: '^[A-Z]{2}$', minLength: 2, maxLength: 2 },
              lat: { type: 'number', minimum: -90, maximum: 90 },
              lon: { type: 'number', minimum: -180, maximum: 180 },
            },
            [],
          ),
        },
        [],
      ),
      stepUpToken: str(SCHEMA_LIMITS.token),
      idpToken: str(SCHEMA_LIMITS.token),
    },
    ['subject', 'action'],
  ),
} as const;

/** Answer of `POST /v1/decisions` (`DecisionResponse`). */
export const decisionResponseSchema = {
  $id: schemaId('decisionResponse'),
  ...obj(
    {
      decisionId: str(SCHEMA_LIMITS.id),
      decision,
      reasons,
      risk: obj(
        {
          score: { type: 'number', minimum: 0, maximum: 100 },
          level: { type: 'string', enum: ['low', 'medium', 'high'] },
          signals: openMap,
        },
        ['score', 'level', 'signals'],
      ),
      requirement,
      challenge: challengeRef,
      providers: providerStepUps,
      reportOnly: {
        type: 'array',
        maxItems: SCHEMA_LIMITS.list,
        items: obj({ policyId: str(SCHEMA_LIMITS.id), decision, reasons }, [
          'policyId',
          'decision',
          'reasons',
        ]),
      },
      policyVersion: str(SCHEMA_LIMITS.name),
    },
    ['decisionId', 'decision', 'reasons', 'risk', 'reportOnly', 'policyVersion'],
  ),
} as const;

/** Answer of `GET /v1/policies/fields` (`PolicyFieldsAnswer`). */
export const policyFieldsSchema = {
  $id: schemaId('policyFields'),
  ...obj(
    {
      policyVersion: str(SCHEMA_LIMITS.name),
      fields: {
        type: 'object',
        maxProperties: SCHEMA_LIMITS.fields,
        propertyNames: { maxLength: SCHEMA_LIMITS.name },
        additionalProperties: obj(
          {
            type: fieldType,
            policies: { type: 'array', maxItems: SCHEMA_LIMITS.policies, items: str(SCHEMA_LIMITS.id) },
            reportOnly: { type: 'boolean' },
          },
          ['type', 'policies'],
        ),
      },
    },
    ['policyVersion', 'fields'],
  ),
} as const;

/** Body of `POST /v1/decisions/{id}/feedback` (`FeedbackRequest`). */
export const feedbackRequestSchema = {
  $id: schemaId('feedbackRequest'),
  ...obj({ label: { type: 'string', enum: ['fraud', 'legit'] }, note: str(SCHEMA_LIMITS.text) }, ['label']),
} as const;

/** A guarded route's 401 step-up answer (`StepUpAnswerBody`). */
export const stepUpAnswerSchema = {
  $id: schemaId('stepUpAnswer'),
  ...obj({ error: fixedError('insufficient_user_authentication'), stepUp: stepUpInfo }, ['error', 'stepUp']),
} as const;

/** A guarded route's 401 step-up answer when only identity providers perform it (`ProviderStepUpAnswerBody`). */
export const providerStepUpAnswerSchema = {
  $id: schemaId('providerStepUpAnswer'),
  ...obj({ error: fixedError('insufficient_user_authentication'), providers: providerStepUps }, [
    'error',
    'providers',
  ]),
} as const;

/** A guarded route's 403 deny answer (`DenyAnswerBody`). */
export const denyAnswerSchema = {
  $id: schemaId('denyAnswer'),
  ...obj(
    {
      error: fixedError('access_denied'),
      reasons: {
        type: 'array',
        maxItems: SCHEMA_LIMITS.list,
        items: obj({ policyId: str(SCHEMA_LIMITS.id), code: str(128), detail: str(SCHEMA_LIMITS.text) }, [
          'policyId',
          'code',
        ]),
      },
    },
    ['error', 'reasons'],
  ),
} as const;

/** `error.details` of an `invalid_request` for a field of the wrong type (`InvalidFieldDetails`). */
const invalidFieldDetails = obj(
  {
    field: str(SCHEMA_LIMITS.name),
    policyId: str(SCHEMA_LIMITS.id),
    expected: fieldType,
    actual: str(64),
    policyVersion: str(SCHEMA_LIMITS.name),
  },
  ['field', 'expected', 'actual', 'policyVersion'],
);

/** Every error answer (`ErrorBody`). */
export const errorBodySchema = {
  $id: schemaId('errorBody'),
  ...obj(
    {
      error: obj(
        {
          code: errorCode,
          message: str(SCHEMA_LIMITS.text),
          attemptsLeft: { type: 'integer', minimum: 0 },
          path: { type: 'string', maxLength: SCHEMA_LIMITS.url },
          retryAfter: { type: 'integer', minimum: 0 },
          details: invalidFieldDetails,
        },
        ['code', 'message'],
      ),
    },
    ['error'],
  ),
} as const;

/** The decoded `Step-Up-Context` header (`StepUpContext`). */
export const stepUpContextSchema = { $id: schemaId('stepUpContext'), ...stepUpContext } as const;
