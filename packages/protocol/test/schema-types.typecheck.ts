/**
 * Compile-time proof that the schemas name the same members as the TypeScript types, and require
 * exactly the members the types require. `tsc -b packages/protocol/tsconfig.test.json` fails on
 * any drift; schemas.test.ts then checks the values themselves.
 */
import type {
  ChallengeView,
  CodeSentAnswer,
  DecisionRequest,
  DecisionResponse,
  DeviceKeyEnrollmentRequest,
  DeviceSignals,
  DeviceTokenClaims,
  EnrollmentRequest,
  EnrollmentStepUpAnswer,
  EnrollmentTicketAnswer,
  EnrollmentView,
  ErrorBody,
  FactorView,
  FeedbackRequest,
  InvalidFieldDetails,
  PolicyFieldInfo,
  PolicyFieldsAnswer,
  ProviderAuthorizationParams,
  ProviderStepUp,
  ProviderStepUpAnswerBody,
  Reason,
  RequestContext,
  Requirement,
  Risk,
  StepUpContext,
  StepUpInfo,
  StepUpTokenClaims,
  Subject,
  TotpConfirmRequest,
  TotpEnrollmentAnswer,
  UserUpsertRequest,
  UserView,
  VerifyAnswer,
} from '../src/index.js';
import type { schemas } from '../src/schemas.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
type Matches<S, T> = S extends { properties: infer P; required: readonly (infer R)[] }
  ? Equal<keyof P, keyof T> extends true
    ? Equal<R, RequiredKeys<T>>
    : false
  : false;
type Props<N extends keyof typeof schemas> = (typeof schemas)[N] extends { properties: infer P } ? P : never;

export const shapeChecks = {
  decisionRequest: true satisfies Matches<(typeof schemas)['decisionRequest'], DecisionRequest>,
  subject: true satisfies Matches<Props<'decisionRequest'>['subject'], Subject>,
  context: true satisfies Matches<Props<'decisionRequest'>['context'], RequestContext>,
  device: true satisfies Matches<(typeof schemas)['stepUpContext'], StepUpContext>,
  signals: true satisfies Matches<Props<'stepUpContext'>['signals'], DeviceSignals>,
  decisionResponse: true satisfies Matches<(typeof schemas)['decisionResponse'], DecisionResponse>,
  risk: true satisfies Matches<Props<'decisionResponse'>['risk'], Risk>,
  requirement: true satisfies Matches<Props<'decisionResponse'>['requirement'], Requirement>,
  reason: true satisfies Matches<Props<'decisionResponse'>['reasons']['items'], Reason>,
  stepUpInfo: true satisfies Matches<Props<'stepUpAnswer'>['stepUp'], StepUpInfo>,
  providerStepUpAnswer: true satisfies Matches<
    (typeof schemas)['providerStepUpAnswer'],
    ProviderStepUpAnswerBody
  >,
  provider: true satisfies Matches<Props<'providerStepUpAnswer'>['providers']['items'], ProviderStepUp>,
  providerParams: true satisfies Matches<
    Props<'providerStepUpAnswer'>['providers']['items']['properties']['params'],
    ProviderAuthorizationParams
  >,
  feedback: true satisfies Matches<(typeof schemas)['feedbackRequest'], FeedbackRequest>,
  policyFields: true satisfies Matches<(typeof schemas)['policyFields'], PolicyFieldsAnswer>,
  policyField: true satisfies Matches<
    Props<'policyFields'>['fields']['additionalProperties'],
    PolicyFieldInfo
  >,
  errorBody: true satisfies Matches<Props<'errorBody'>['error'], ErrorBody['error']>,
  invalidField: true satisfies Matches<
    Props<'errorBody'>['error']['properties']['details'],
    InvalidFieldDetails
  >,
  challengeView: true satisfies Matches<(typeof schemas)['challengeView'], ChallengeView>,
  codeSent: true satisfies Matches<(typeof schemas)['codeSentAnswer'], CodeSentAnswer>,
  verifyAnswer: true satisfies Matches<(typeof schemas)['verifyAnswer'], VerifyAnswer>,
  userUpsert: true satisfies Matches<(typeof schemas)['userUpsertRequest'], UserUpsertRequest>,
  userView: true satisfies Matches<(typeof schemas)['userView'], UserView>,
  factorView: true satisfies Matches<(typeof schemas)['factorView'], FactorView>,
  enrollmentRequest: true satisfies Matches<(typeof schemas)['enrollmentRequest'], EnrollmentRequest>,
  enrollmentTicket: true satisfies Matches<(typeof schemas)['enrollmentTicket'], EnrollmentTicketAnswer>,
  enrollmentStepUp: true satisfies Matches<(typeof schemas)['enrollmentStepUp'], EnrollmentStepUpAnswer>,
  enrollmentView: true satisfies Matches<(typeof schemas)['enrollmentView'], EnrollmentView>,
  totpEnrollment: true satisfies Matches<(typeof schemas)['totpEnrollment'], TotpEnrollmentAnswer>,
  totpConfirm: true satisfies Matches<(typeof schemas)['totpConfirmRequest'], TotpConfirmRequest>,
  deviceKey: true satisfies Matches<(typeof schemas)['deviceKeyEnrollment'], DeviceKeyEnrollmentRequest>,
  tokenClaims: true satisfies Matches<(typeof schemas)['stepUpTokenClaims'], StepUpTokenClaims>,
  deviceTokenClaims: true satisfies Matches<(typeof schemas)['deviceTokenClaims'], DeviceTokenClaims>,
};
