/**
 * JSON Schemas of every wire body (docs/design/wire-contract.md and "HTTP API"), as plain `as const`
 * objects. Each has an `$id` (`https://stepgate.dev/schemas/<name>.json`), no `$schema` and no
 * `$ref`, so it compiles under JSON Schema draft-07 (Fastify's default Ajv) and 2020-12 alike.
 * Timestamps use `format: 'date-time'` and URLs `format: 'uri'`: add ajv-formats to the Ajv instance.
 */
import {
  challengeFailedSchema,
  challengeViewSchema,
  codeSentAnswerSchema,
  startAnswerSchema,
  startRequestSchema,
  totpStartAnswerSchema,
  verifyAnswerSchema,
  verifyRequestSchema,
  webAuthnStartAnswerSchema,
} from './schemas/challenge-schemas.js';
import {
  decisionRequestSchema,
  decisionResponseSchema,
  denyAnswerSchema,
  errorBodySchema,
  feedbackRequestSchema,
  policyFieldsSchema,
  providerStepUpAnswerSchema,
  stepUpAnswerSchema,
  stepUpContextSchema,
} from './schemas/decision-schemas.js';
import {
  deviceKeyEnrollmentSchema,
  enrollmentRequestSchema,
  enrollmentStepUpSchema,
  enrollmentTicketSchema,
  enrollmentViewSchema,
  factorAddedSchema,
  factorListSchema,
  factorRemovalRequestSchema,
  factorRemovedSchema,
  factorViewSchema,
  totpConfirmRequestSchema,
  totpEnrollmentSchema,
  userDeletedSchema,
  userDeletionRequestSchema,
  userUpsertRequestSchema,
  userViewSchema,
  webAuthnRegistrationOptionsSchema,
  webAuthnRegistrationVerifySchema,
} from './schemas/enrollment-schemas.js';
import { deviceTokenClaimsSchema, stepUpTokenClaimsSchema } from './schemas/token-schemas.js';

export { SCHEMA_LIMITS } from './schemas/common.js';
export {
  challengeFailedSchema,
  challengeViewSchema,
  codeSentAnswerSchema,
  decisionRequestSchema,
  decisionResponseSchema,
  denyAnswerSchema,
  deviceKeyEnrollmentSchema,
  deviceTokenClaimsSchema,
  enrollmentRequestSchema,
  enrollmentStepUpSchema,
  enrollmentTicketSchema,
  enrollmentViewSchema,
  errorBodySchema,
  factorAddedSchema,
  factorListSchema,
  factorRemovalRequestSchema,
  factorRemovedSchema,
  factorViewSchema,
  feedbackRequestSchema,
  policyFieldsSchema,
  providerStepUpAnswerSchema,
  startAnswerSchema,
  startRequestSchema,
  stepUpAnswerSchema,
  stepUpContextSchema,
  stepUpTokenClaimsSchema,
  totpConfirmRequestSchema,
  totpEnrollmentSchema,
  totpStartAnswerSchema,
  userDeletedSchema,
  userDeletionRequestSchema,
  userUpsertRequestSchema,
  userViewSchema,
  verifyAnswerSchema,
  verifyRequestSchema,
  webAuthnRegistrationOptionsSchema,
  webAuthnRegistrationVerifySchema,
  webAuthnStartAnswerSchema,
};

/**
 * Every schema by name (the name is also the last segment of its `$id`).
 *
 * @example
 * import Ajv from 'ajv';
 * import addFormats from 'ajv-formats';
 * const ajv = addFormats(new Ajv({ schemas: Object.values(schemas) }));
 * const valid = ajv.getSchema(schemas.decisionRequest.$id)!(body);
 */
export const schemas = {
  decisionRequest: decisionRequestSchema,
  decisionResponse: decisionResponseSchema,
  feedbackRequest: feedbackRequestSchema,
  policyFields: policyFieldsSchema,
  stepUpAnswer: stepUpAnswerSchema,
  providerStepUpAnswer: providerStepUpAnswerSchema,
  denyAnswer: denyAnswerSchema,
  errorBody: errorBodySchema,
  stepUpContext: stepUpContextSchema,
  challengeView: challengeViewSchema,
  startRequest: startRequestSchema,
  startAnswer: startAnswerSchema,
  codeSentAnswer: codeSentAnswerSchema,
  webAuthnStartAnswer: webAuthnStartAnswerSchema,
  totpStartAnswer: totpStartAnswerSchema,
  verifyRequest: verifyRequestSchema,
  verifyAnswer: verifyAnswerSchema,
  challengeFailed: challengeFailedSchema,
  userUpsertRequest: userUpsertRequestSchema,
  userView: userViewSchema,
  factorView: factorViewSchema,
  factorList: factorListSchema,
  enrollmentRequest: enrollmentRequestSchema,
  enrollmentTicket: enrollmentTicketSchema,
  enrollmentStepUp: enrollmentStepUpSchema,
  enrollmentView: enrollmentViewSchema,
  totpEnrollment: totpEnrollmentSchema,
  totpConfirmRequest: totpConfirmRequestSchema,
  factorAdded: factorAddedSchema,
  factorRemovalRequest: factorRemovalRequestSchema,
  factorRemoved: factorRemovedSchema,
  userDeletionRequest: userDeletionRequestSchema,
  userDeleted: userDeletedSchema,
  webAuthnRegistrationOptions: webAuthnRegistrationOptionsSchema,
  webAuthnRegistrationVerify: webAuthnRegistrationVerifySchema,
  deviceKeyEnrollment: deviceKeyEnrollmentSchema,
  stepUpTokenClaims: stepUpTokenClaimsSchema,
  deviceTokenClaims: deviceTokenClaimsSchema,
} as const;

/** The name of a schema in {@link schemas}. */
export type SchemaName = keyof typeof schemas;
