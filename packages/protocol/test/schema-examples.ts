/**
 * One valid example per schema, typed with its TypeScript type, and typical bad bodies per
 * schema. The widget's and the service's tests may reuse the valid ones as fixtures.
 */
import type {
  ChallengeFailedBody,
  ChallengeView,
  CodeSentAnswer,
  DecisionRequest,
  DecisionResponse,
  DenyAnswerBody,
  DeviceKeyEnrollmentRequest,
  DeviceTokenClaims,
  EnrollmentRequest,
  EnrollmentStepUpAnswer,
  EnrollmentTicketAnswer,
  EnrollmentView,
  ErrorBody,
  FactorAddedAnswer,
  FactorListAnswer,
  FactorRemovalRequest,
  FactorRemovedAnswer,
  FactorView,
  FeedbackRequest,
  PolicyFieldsAnswer,
  ProviderStepUp,
  ProviderStepUpAnswerBody,
  SchemaName,
  StartAnswer,
  StartRequest,
  StepUpAnswerBody,
  StepUpContext,
  StepUpTokenClaims,
  TotpConfirmRequest,
  TotpEnrollmentAnswer,
  TotpStartAnswer,
  UserDeletedAnswer,
  UserDeletionRequest,
  UserUpsertRequest,
  UserView,
  VerifyAnswer,
  VerifyRequest,
  WebAuthnRegistrationOptionsAnswer,
  WebAuthnRegistrationVerifyRequest,
  WebAuthnStartAnswer,
} from '../src/index.js';

const at = '2026-11-28T12:00:00.000Z';
const digest = 'mJHNWGIXHOqEomP4Q3EOVgLUVITXSpkwmdnjMZn6L_Y';
const context: StepUpContext = {
  v: 1,
  deviceId: 'dev_1',
  fingerprint: 'fp_1',
  signals: { tz: 'UTC', cores: 8 },
};
const requirement = {
  level: 'aal2',
  acr: 'urn:stepgate:aal2',
  maxAge: 0,
  methods: ['totp', 'webauthn'],
  bindTransaction: true,
  singleUse: true,
} as const;
const challenge = { id: 'chl_8f3a', expiresAt: at, methods: ['totp'] } as const;
const provider: ProviderStepUp = {
  performer: 'idp:corp',
  name: 'Corp SSO',
  issuer: 'https://login.example.com',
  authorizationEndpoint: 'https://login.example.com/authorize',
  params: {
    client_id: 'bank-app',
    response_type: 'code',
    scope: 'openid',
    acr_values: 'urn:corp:mfa',
    max_age: '0',
    prompt: 'login',
    claims: '{"id_token":{"acr":{"essential":true,"values":["urn:corp:mfa"]}}}',
    nonce: 'n_1764000300.abc',
  },
  expiresAt: at,
};
const factor: FactorView = {
  id: 'fct_1',
  method: 'webauthn',
  maxLevel: 'aal3',
  createdAt: at,
  backupEligible: false,
};

const decisionRequest: DecisionRequest = {
  subject: {
    id: 'u_1',
    sessionId: 's_1',
    authTime: 1_764_000_000,
    acr: 'aal2',
    roles: ['customer'],
    methods: ['webauthn'],
  },
  action: { name: 'payments.transfer' },
  resource: { type: 'account', id: 'acc_1', attributes: { owner: 'u_1' } },
  transaction: { amount: 12000, currency: 'EUR', payee: 'FR76…189' },
  context: {
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0',
    device: context,
    geo: { country: 'FR', lat: 48.85, lon: 2.35 },
  },
  stepUpToken: 'eyJ0eXAiOiJzdGVwdXArand0In0.e30.sig',
};

/** A valid example of every schema. */
export const validExamples = {
  decisionRequest,
  decisionResponse: {
    decisionId: 'dec_1',
    decision: 'step_up',
    reasons: [{ policyId: 'high-value-transfer', code: 'policy_matched', values: { amount: 12000 } }],
    risk: { score: 40, level: 'medium', signals: { deviceKnown: false } },
    requirement: {
      ...requirement,
      methods: [...requirement.methods],
      performers: ['stepgate', 'idp:corp'],
      providerMethods: ['webauthn', 'totp'],
      restrictsMethods: true,
    },
    challenge: { ...challenge, methods: [...challenge.methods] },
    providers: [provider],
    reportOnly: [],
    policyVersion: 'pv_1a2b',
  } satisfies DecisionResponse,
  feedbackRequest: { label: 'fraud', note: 'customer called' } satisfies FeedbackRequest,
  stepUpAnswer: {
    error: { code: 'insufficient_user_authentication', message: 'Step up' },
    stepUp: {
      challengeId: 'chl_8f3a',
      challengeUrl: 'https://bank.example/stepgate/v1/challenges/chl_8f3a',
      acr: 'urn:stepgate:aal2',
      maxAge: 0,
      methods: ['totp'],
      expiresAt: at,
      providers: [provider],
    },
  } satisfies StepUpAnswerBody,
  providerStepUpAnswer: {
    error: { code: 'insufficient_user_authentication', message: 'Step up' },
    providers: [provider],
  } satisfies ProviderStepUpAnswerBody,
  denyAnswer: {
    error: { code: 'access_denied', message: 'Denied' },
    reasons: [{ policyId: 'tor-exit', code: 'policy_matched' }],
  } satisfies DenyAnswerBody,
  errorBody: { error: { code: 'rate_limited', message: 'Slow down', retryAfter: 30 } } satisfies ErrorBody,
  policyFields: {
    policyVersion: 'sha256:9c2e',
    fields: {
      'transaction.amount': {
        type: 'number',
        policies: ['fresh-check-for-transfers', 'high-value-transfer'],
      },
      'transaction.tags': { type: 'string[]', policies: [] },
      'resource.attributes.owner': { type: 'string', policies: ['audit-owner'], reportOnly: true },
    },
  } satisfies PolicyFieldsAnswer,
  stepUpContext: context,
  challengeView: {
    id: 'chl_8f3a',
    status: 'pending',
    action: 'payments.transfer',
    transaction: { amount: 12000 },
    level: 'aal2',
    acr: 'urn:stepgate:aal2',
    methods: [{ method: 'email_otp', destination: 'j***@example.com' }, { method: 'totp' }],
    attemptsLeft: 5,
    expiresAt: at,
  } satisfies ChallengeView,
  startRequest: { method: 'sms_otp' } satisfies StartRequest,
  startAnswer: { sentTo: '•••• 1234', resendAfter: 30 } satisfies StartAnswer,
  codeSentAnswer: { sentTo: '•••• 1234', resendAfter: 30 } satisfies CodeSentAnswer,
  webAuthnStartAnswer: {
    publicKey: { challenge: 'abc', rpId: 'bank.example' },
  } satisfies WebAuthnStartAnswer,
  totpStartAnswer: {} satisfies TotpStartAnswer,
  verifyRequest: { method: 'totp', code: '123456', rememberDevice: true } satisfies VerifyRequest,
  verifyAnswer: {
    token: 'eyJ.e30.sig',
    acr: 'urn:stepgate:aal2',
    amr: ['otp', 'mfa'],
    expiresAt: at,
  } satisfies VerifyAnswer,
  challengeFailed: {
    error: { code: 'challenge_failed', message: 'The code did not work', attemptsLeft: 4 },
  } satisfies ChallengeFailedBody,
  userUpsertRequest: {
    displayName: 'Ada',
    email: 'ada@example.com',
    phone: null,
    subject: { id: 'u_1', sessionId: 's_1', acr: 'aal1' },
    stepUpToken: 'eyJ.e30.sig',
  } satisfies UserUpsertRequest,
  userView: {
    id: 'u_1',
    displayName: 'Ada',
    email: 'ada@example.com',
    phone: '+33612345678',
  } satisfies UserView,
  factorView: factor,
  factorList: { factors: [factor] } satisfies FactorListAnswer,
  enrollmentRequest: {
    userId: 'u_1',
    subject: { id: 'u_1', sessionId: 's_1' },
    method: 'totp',
  } satisfies EnrollmentRequest,
  enrollmentTicket: { ticket: 'enr_5d1c', expiresAt: at } satisfies EnrollmentTicketAnswer,
  enrollmentStepUp: {
    decision: 'step_up',
    requirement: { ...requirement, methods: [...requirement.methods] },
    challenge: { ...challenge, methods: [...challenge.methods] },
  } satisfies EnrollmentStepUpAnswer,
  enrollmentView: {
    userId: 'u_1',
    displayName: 'Ada',
    methods: ['totp', 'webauthn'],
    factors: [factor],
    expiresAt: at,
  } satisfies EnrollmentView,
  totpEnrollment: {
    secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
    otpauthUri: 'otpauth://totp/Bank:ada?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Bank',
  } satisfies TotpEnrollmentAnswer,
  totpConfirmRequest: { code: '654321', label: 'Phone' } satisfies TotpConfirmRequest,
  factorAdded: { factor } satisfies FactorAddedAnswer,
  factorRemovalRequest: {
    subject: { id: 'user_1', sessionId: 'sess_1', authTime: 1_700_000_000 },
  } satisfies FactorRemovalRequest,
  factorRemoved: { removed: factor } satisfies FactorRemovedAnswer,
  userDeletionRequest: {
    subject: { id: 'user_1', sessionId: 'sess_1' },
    stepUpToken: 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln',
  } satisfies UserDeletionRequest,
  userDeleted: { deleted: { userId: 'user_1', factors: 2 } } satisfies UserDeletedAnswer,
  webAuthnRegistrationOptions: {
    publicKey: { challenge: 'abc', rp: { id: 'bank.example' } },
  } satisfies WebAuthnRegistrationOptionsAnswer,
  webAuthnRegistrationVerify: {
    response: { id: 'cred', type: 'public-key' },
    label: 'YubiKey',
  } satisfies WebAuthnRegistrationVerifyRequest,
  deviceKeyEnrollment: {
    publicKey: { kty: 'EC', crv: 'P-256', x: digest, y: digest },
    label: 'Pixel 9',
  } satisfies DeviceKeyEnrollmentRequest,
  stepUpTokenClaims: {
    iss: 'https://stepgate.bank.example',
    sub: 'u_1',
    aud: 'bank-api',
    iat: 1_764_000_000,
    exp: 1_764_000_300,
    jti: 'jti_1',
    acr: 'urn:stepgate:aal2',
    amr: ['otp'],
    auth_time: 1_764_000_000,
    sid: 's_1',
    authorization_details: [
      { type: 'urn:stepgate:step-up', action: 'payments.transfer', digest, method: 'totp' },
    ],
  } satisfies StepUpTokenClaims,
  deviceTokenClaims: {
    iss: 'https://stepgate.bank.example',
    sub: 'u_1',
    iat: 1_764_000_000,
    exp: 1_800_000_000,
    jti: 'jti_2',
    did: 'dev_1',
  } satisfies DeviceTokenClaims,
} as const satisfies Record<SchemaName, unknown>;

/** Typical bad bodies: each must fail its schema. */
export const invalidExamples: Partial<Record<SchemaName, unknown[]>> = {
  decisionRequest: [
    {},
    { subject: { id: 'u_1' } },
    { subject: {}, action: { name: 'a' } },
    { subject: { id: 'u_1' }, action: { name: '' } },
    { subject: { id: 'u_1' }, action: { name: 'a' }, extra: true },
    { subject: { id: 'u_1', authTime: -1 }, action: { name: 'a' } },
    { subject: { id: 'u_1', roles: 'admin' }, action: { name: 'a' } },
    { subject: { id: 'x'.repeat(257) }, action: { name: 'a' } },
    { subject: { id: 'u_1' }, action: { name: 'a' }, transaction: [1, 2] },
    { subject: { id: 'u_1' }, action: { name: 'a' }, context: { device: { ...context, v: 2 } } },
    { subject: { id: 'u_1' }, action: { name: 'a' }, context: { geo: { country: 'France' } } },
    { subject: { id: 'u_1' }, action: { name: 'a' }, idpToken: '' },
    { subject: { id: 'u_1', methods: ['passkey'] }, action: { name: 'a' } },
    { subject: { id: 'u_1', methods: ['totp', 'totp'] }, action: { name: 'a' } },
    { subject: { id: 'u_1', methods: 'webauthn' }, action: { name: 'a' } },
  ],
  decisionResponse: [
    { ...decisionRequest },
    { decisionId: 'd', decision: 'maybe', reasons: [], risk: {}, reportOnly: [], policyVersion: 'v' },
    {
      ...validExamples.decisionResponse,
      requirement: { ...validExamples.decisionResponse.requirement, restrictsMethods: false },
    },
  ],
  stepUpAnswer: [
    { error: { code: 'access_denied', message: 'x' }, stepUp: {} },
    { error: { code: 'insufficient_user_authentication', message: 'x' } },
  ],
  providerStepUpAnswer: [
    { error: { code: 'insufficient_user_authentication', message: 'x' }, providers: [] },
    {
      error: { code: 'insufficient_user_authentication', message: 'x' },
      providers: [{ ...provider, performer: 'stepgate' }],
    },
    {
      error: { code: 'insufficient_user_authentication', message: 'x' },
      providers: [{ ...provider, params: { ...provider.params, client_secret: 's3cret' } }],
    },
  ],
  errorBody: [
    { error: { code: 'teapot', message: 'x' } },
    { error: 'bad' },
    { code: 'invalid_request' },
    { error: { code: 'invalid_request', message: 'x', details: { field: 'transaction.amount' } } },
    {
      error: {
        code: 'invalid_request',
        message: 'x',
        details: { field: 'a', expected: 'integer', actual: 'string', policyVersion: 'v' },
      },
    },
  ],
  policyFields: [
    { policyVersion: 'v' },
    { policyVersion: 'v', fields: { 'transaction.amount': { type: 'decimal', policies: [] } } },
    { policyVersion: 'v', fields: { 'transaction.amount': { type: 'number' } } },
  ],
  verifyRequest: [
    { method: 'totp', code: '12ab56' },
    { method: 'totp', response: {} },
    { method: 'webauthn', code: '123456' },
    { method: 'biometric', response: {}, deviceKey: { keyId: 'k', signature: 'AA' } },
    { method: 'sms_otp', code: '123456', extra: 1 },
    { method: 'totp', code: '123456', response: {} },
    { method: 'webauthn', deviceKey: { keyId: 'k', signature: 'AA' } },
    { code: '123456' },
  ],
  challengeFailed: [{ error: { code: 'challenge_failed', message: 'x' } }],
  userUpsertRequest: [
    { email: 'not-an-email' },
    { phone: '0612345678' },
    { admin: true },
    { stepUpToken: 42 },
    { subject: { sessionId: 's_1' } },
  ],
  totpConfirmRequest: [{ code: 123456 }, { code: '12345' }],
  deviceKeyEnrollment: [{ publicKey: { kty: 'RSA', crv: 'P-256', x: digest, y: digest }, label: 'x' }],
  stepUpTokenClaims: [
    { ...validExamples.stepUpTokenClaims, authorization_details: [{ type: 'other', action: 'a', digest }] },
    {
      ...validExamples.stepUpTokenClaims,
      authorization_details: [{ type: 'urn:stepgate:step-up', action: 'a', digest, method: 'passkey' }],
    },
  ],
  startRequest: [{ method: 'carrier_pigeon' }],
  startAnswer: [{ sentTo: 'x', resendAfter: 1, publicKey: {} }, { sentTo: 'x' }, { other: 1 }],
  challengeView: [{ ...validExamples.challengeView, expiresAt: 'tomorrow' }],
  stepUpContext: [{ ...context, signals: { tz: 'UTC', battery: 1 } }],
};
