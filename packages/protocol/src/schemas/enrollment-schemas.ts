/** Schemas of the user, factor and enrollment endpoints. */
import {
  challengeRef,
  dateTime,
  factors,
  factorView,
  method,
  methods,
  obj,
  openMap,
  requirement,
  SCHEMA_LIMITS,
  schemaId,
  str,
  subject,
} from './common.js';

const email = { type: ['string', 'null'], format: 'email', minLength: 3, maxLength: 320 } as const;
const phone = {
  type: ['string', 'null'],
  pattern: '^\\+[1-9][0-9]{1,14}$',
  minLength: 3,
  maxLength: 16,
} as const;
const label = str(128);

/**
 * Body of `PUT /v1/users/{id}` (`UserUpsertRequest`). `null` removes a contact point. Changing a
 * contact point of a user who has a factor is a factor change (S31, S33): `subject` is the
 * session asking, `stepUpToken` the token of the step-up the first answer asked for.
 */
export const userUpsertRequestSchema = {
  $id: schemaId('userUpsertRequest'),
  ...obj(
    { displayName: str(SCHEMA_LIMITS.name), email, phone, subject, stepUpToken: str(SCHEMA_LIMITS.token) },
    [],
  ),
} as const;

/** A user as the service keeps it (`UserView`). */
export const userViewSchema = {
  $id: schemaId('userView'),
  ...obj(
    {
      id: str(SCHEMA_LIMITS.id),
      displayName: str(SCHEMA_LIMITS.name),
      email: { ...email, type: 'string' },
      phone: { ...phone, type: 'string' },
    },
    ['id'],
  ),
} as const;

/** A user's enrolled factor (`FactorView`). */
export const factorViewSchema = { $id: schemaId('factorView'), ...factorView } as const;

/** Answer of `GET /v1/users/{id}/factors` (`FactorListAnswer`). */
export const factorListSchema = { $id: schemaId('factorList'), ...obj({ factors }, ['factors']) } as const;

/** Body of `POST /v1/enrollments` (`EnrollmentRequest`). */
export const enrollmentRequestSchema = {
  $id: schemaId('enrollmentRequest'),
  ...obj({ userId: str(SCHEMA_LIMITS.id), subject, method, stepUpToken: str(SCHEMA_LIMITS.token) }, [
    'userId',
    'subject',
  ]),
} as const;

/** Answer of `POST /v1/enrollments` when the ticket is issued (`EnrollmentTicketAnswer`). */
export const enrollmentTicketSchema = {
  $id: schemaId('enrollmentTicket'),
  ...obj({ ticket: str(SCHEMA_LIMITS.id), expiresAt: dateTime }, ['ticket', 'expiresAt']),
} as const;

/** Answer of `POST /v1/enrollments` when the user must step up first (`EnrollmentStepUpAnswer`, S31). */
export const enrollmentStepUpSchema = {
  $id: schemaId('enrollmentStepUp'),
  ...obj({ decision: { type: 'string', const: 'step_up' }, requirement, challenge: challengeRef }, [
    'decision',
    'requirement',
    'challenge',
  ]),
} as const;

/** Answer of `GET /v1/enrollments/{ticket}` (`EnrollmentView`). */
export const enrollmentViewSchema = {
  $id: schemaId('enrollmentView'),
  ...obj(
    {
      userId: str(SCHEMA_LIMITS.id),
      displayName: str(SCHEMA_LIMITS.name),
      methods,
      factors,
      expiresAt: dateTime,
    },
    ['userId', 'methods', 'factors', 'expiresAt'],
  ),
} as const;

/** Answer of `POST /v1/enrollments/{ticket}/totp` (`TotpEnrollmentAnswer`). */
export const totpEnrollmentSchema = {
  $id: schemaId('totpEnrollment'),
  ...obj(
    {
      secret: { type: 'string', pattern: '^[A-Z2-7]+=*$', minLength: 16, maxLength: 256 },
      otpauthUri: { type: 'string', pattern: '^otpauth://', maxLength: SCHEMA_LIMITS.url },
    },
    ['secret', 'otpauthUri'],
  ),
} as const;

/** Body of `POST /v1/enrollments/{ticket}/totp/confirm` (`TotpConfirmRequest`). */
export const totpConfirmRequestSchema = {
  $id: schemaId('totpConfirmRequest'),
  ...obj({ code: { type: 'string', pattern: '^[0-9]{6,8}$', minLength: 6, maxLength: 8 }, label }, ['code']),
} as const;

/** Answer of a completed enrollment step (`FactorAddedAnswer`). */
export const factorAddedSchema = {
  $id: schemaId('factorAdded'),
  ...obj({ factor: factorView }, ['factor']),
} as const;

/** Body of `DELETE /v1/users/{id}/factors/{factorId}` (`FactorRemovalRequest`). */
export const factorRemovalRequestSchema = {
  $id: schemaId('factorRemovalRequest'),
  ...obj({ subject, stepUpToken: str(SCHEMA_LIMITS.token) }, ['subject']),
} as const;

/** Answer of a factor removal (`FactorRemovedAnswer`). */
export const factorRemovedSchema = {
  $id: schemaId('factorRemoved'),
  ...obj({ removed: factorView }, ['removed']),
} as const;

/** Body of `DELETE /v1/users/{id}` (`UserDeletionRequest`). */
export const userDeletionRequestSchema = {
  $id: schemaId('userDeletionRequest'),
  ...obj({ subject, stepUpToken: str(SCHEMA_LIMITS.token) }, ['subject']),
} as const;

/** Answer of a user's erasure (`UserDeletedAnswer`). */
export const userDeletedSchema = {
  $id: schemaId('userDeleted'),
  ...obj(
    {
      deleted: obj({ userId: str(SCHEMA_LIMITS.id), factors: { type: 'integer', minimum: 0 } }, [
        'userId',
        'factors',
      ]),
    },
    ['deleted'],
  ),
} as const;

/** Answer of `POST /v1/enrollments/{ticket}/webauthn/options` (`WebAuthnRegistrationOptionsAnswer`). */
export const webAuthnRegistrationOptionsSchema = {
  $id: schemaId('webAuthnRegistrationOptions'),
  ...obj({ publicKey: openMap }, ['publicKey']),
} as const;

/** Body of `POST /v1/enrollments/{ticket}/webauthn/verify` (`WebAuthnRegistrationVerifyRequest`). */
export const webAuthnRegistrationVerifySchema = {
  $id: schemaId('webAuthnRegistrationVerify'),
  ...obj({ response: openMap, label }, ['response']),
} as const;

const coordinate = { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$', minLength: 43, maxLength: 43 } as const;

/** Body of `POST /v1/enrollments/{ticket}/device-key` (`DeviceKeyEnrollmentRequest`). */
export const deviceKeyEnrollmentSchema = {
  $id: schemaId('deviceKeyEnrollment'),
  ...obj(
    {
      publicKey: obj(
        {
          kty: { type: 'string', const: 'EC' },
          crv: { type: 'string', const: 'P-256' },
          x: coordinate,
          y: coordinate,
        },
        ['kty', 'crv', 'x', 'y'],
      ),
      label,
    },
    ['publicKey', 'label'],
  ),
} as const;
