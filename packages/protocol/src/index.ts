/**
 * @stepgate/protocol — the wire contract every Stepgate package shares.
 * @packageDocumentation
 */
export type { AuthChallenge } from './auth-header.js';
export { isToken, parseAuthenticateHeader, quoteString } from './auth-header.js';
export { decodeBase64Url, encodeBase64Url } from './base64url.js';
export { canonicalJson, MAX_CANONICAL_DEPTH } from './canonical-json.js';
export { CLERK_PRESETS, readProviderStepUps, readStepUpInfo } from './challenge-dialects.js';
export {
  CONTEXT_LIMITS,
  decodeStepUpContext,
  encodeStepUpContext,
  MAX_CONTEXT_HEADER_BYTES,
  readStepUpContext,
  SIGNAL_NAMES,
} from './context-header.js';
export type { ErrorBody, ErrorCode } from './errors.js';
export { ERROR_CODES, isErrorCode, StepgateError, statusForErrorCode } from './errors.js';
export type { FieldType } from './field-types.js';
export { FIELD_TYPES, fieldValueFits, isFieldType, jsonTypeOf } from './field-types.js';
export { newIdempotencyKey } from './idempotency-key.js';
export type { AcrValues, Amr, Level, Method } from './levels.js';
export {
  AMR_VALUES,
  acrFromLevel,
  compareLevels,
  DEFAULT_ACR_VALUES,
  isLevel,
  isMethod,
  LEVELS,
  levelAtLeast,
  levelFromAcr,
  METHODS,
  maxLevel,
} from './levels.js';
export type { Performer } from './performers.js';
export { IDP_ID_PATTERN, idpIdOf, isPerformer, STEPGATE_PERFORMER } from './performers.js';
export type { ProviderLevelMap, ProviderMethodMap } from './provider-level.js';
export { providerLevel, providerMethods } from './provider-level.js';
export type { SchemaName } from './schemas.js';
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
  SCHEMA_LIMITS,
  schemas,
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
} from './schemas.js';
export type { ParsedStepUpChallenge, StepUpChallengeParams, StepUpDialect } from './step-up-challenge.js';
export {
  formatStepUpChallenge,
  INSUFFICIENT_USER_AUTHENTICATION,
  parseStepUpChallenge,
  STEP_UP_CHALLENGE_PARAM,
} from './step-up-challenge.js';
export type { TransactionDigestInput } from './transaction-digest.js';
export { transactionDigest } from './transaction-digest.js';
export type {
  Action,
  ChallengeFailedBody,
  ChallengeMethodView,
  ChallengeRef,
  ChallengeStatus,
  ChallengeView,
  CodeSentAnswer,
  Decision,
  DecisionRequest,
  DecisionResponse,
  DenyAnswerBody,
  DeviceKeyAssertion,
  DeviceKeyEnrollmentRequest,
  DeviceSignals,
  DeviceTokenClaims,
  EnrollmentRequest,
  EnrollmentStepUpAnswer,
  EnrollmentTicketAnswer,
  EnrollmentView,
  FactorAddedAnswer,
  FactorListAnswer,
  FactorRemovalRequest,
  FactorRemovedAnswer,
  FactorView,
  FeedbackRequest,
  Geo,
  InvalidFieldDetails,
  MethodLock,
  P256PublicJwk,
  PolicyFieldInfo,
  PolicyFieldsAnswer,
  ProviderAuthorizationParams,
  ProviderStepUp,
  ProviderStepUpAnswerBody,
  PublicReason,
  Reason,
  ReportOnlyOutcome,
  RequestContext,
  Requirement,
  Resource,
  Risk,
  RiskLevel,
  StartAnswer,
  StartRequest,
  StepUpAnswerBody,
  StepUpAuthorizationDetail,
  StepUpContext,
  StepUpInfo,
  StepUpTokenClaims,
  Subject,
  TotpConfirmRequest,
  TotpEnrollmentAnswer,
  TotpStartAnswer,
  Transaction,
  UserDeletedAnswer,
  UserDeletionRequest,
  UserUpsertAnswer,
  UserUpsertRequest,
  UserView,
  VerifyAnswer,
  VerifyRequest,
  WebAuthnJson,
  WebAuthnRegistrationOptionsAnswer,
  WebAuthnRegistrationVerifyRequest,
  WebAuthnStartAnswer,
} from './types.js';
export {
  DECISIONS,
  DEVICE_TOKEN_TYPE,
  HEADERS,
  STEP_UP_AUTHORIZATION_TYPE,
  STEP_UP_TOKEN_TYPE,
} from './types.js';
