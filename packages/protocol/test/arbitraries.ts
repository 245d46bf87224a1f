/**
 * fast-check arbitraries for the wire types. Each is typed with its TypeScript type, so the
 * compiler checks that generated values are values of the type; schemas.test.ts checks that the
 * JSON Schema accepts them.
 */
import fc from 'fast-check';
import {
  AMR_VALUES,
  type ChallengeView,
  type DecisionRequest,
  type DecisionResponse,
  type EnrollmentView,
  ERROR_CODES,
  type ErrorBody,
  type ErrorCode,
  type FactorView,
  FIELD_TYPES,
  LEVELS,
  METHODS,
  type Reason,
  type Requirement,
  type StepUpAnswerBody,
  type StepUpContext,
  type StepUpTokenClaims,
  type Subject,
  type UserUpsertRequest,
  type VerifyAnswer,
  type VerifyRequest,
} from '../src/index.js';

const text = (maxLength: number) => fc.string({ minLength: 1, maxLength });
const id = text(64);
const dateTime = fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => new Date(ms).toISOString());
const seconds = fc.nat({ max: 2 ** 31 });
const level = fc.constantFrom(...LEVELS);
const method = fc.constantFrom(...METHODS);
const methods = fc.uniqueArray(method, { maxLength: METHODS.length });
const jsonMap = fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 });
const digest = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) =>
  btoa(String.fromCharCode(...b))
    .replace(/=+$/, '')
    .replaceAll('+', '-')
    .replaceAll('/', '_'),
);

export const subjectArb: fc.Arbitrary<Subject> = fc.record(
  {
    id,
    sessionId: id,
    authTime: fc.double({ min: 0, max: 2 ** 31, noNaN: true }),
    acr: text(40),
    roles: fc.array(text(20), { maxLength: 5 }),
    methods,
  },
  { requiredKeys: ['id'] },
);

export const contextArb: fc.Arbitrary<StepUpContext> = fc.record(
  {
    v: fc.constant(1 as const),
    deviceId: text(128),
    fingerprint: text(128),
    deviceToken: text(300),
    signals: fc.record(
      {
        tz: text(40),
        lang: text(40),
        screen: text(20),
        platform: text(20),
        cores: fc.nat({ max: 256 }),
        memory: fc.double({ min: 0, max: 64, noNaN: true }),
        touch: fc.nat({ max: 10 }),
        colorDepth: fc.constantFrom(24, 30, 48),
        webgl: text(100),
        webdriver: fc.boolean(),
        webauthn: fc.boolean(),
        platformAuthenticator: fc.boolean(),
        webview: fc.constantFrom('ios', 'android', 'react-native'),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['v', 'deviceId', 'fingerprint', 'signals'] },
);

export const decisionRequestArb: fc.Arbitrary<DecisionRequest> = fc.record(
  {
    subject: subjectArb,
    action: fc.record({ name: text(60) }),
    resource: fc.record({ type: text(20), id, attributes: jsonMap }, { requiredKeys: [] }),
    transaction: jsonMap,
    context: fc.record(
      {
        ip: fc.ipV4(),
        userAgent: text(200),
        device: contextArb,
        geo: fc.record(
          {
            country: fc.constantFrom('FR', 'US', 'JP'),
            lat: fc.double({ min: -90, max: 90, noNaN: true }),
            lon: fc.double({ min: -180, max: 180, noNaN: true }),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    ),
    stepUpToken: text(500),
  },
  { requiredKeys: ['subject', 'action'] },
);

const reasonArb: fc.Arbitrary<Reason> = fc.record(
  { policyId: id, code: text(40), detail: text(200), values: jsonMap },
  { requiredKeys: ['policyId', 'code'] },
);

export const requirementArb: fc.Arbitrary<Requirement> = fc.record(
  {
    level,
    acr: text(40),
    maxAge: seconds,
    methods,
    bindTransaction: fc.boolean(),
    singleUse: fc.boolean(),
    anyAction: fc.constant(true),
    restrictsMethods: fc.constant(true as const),
  },
  { requiredKeys: ['level', 'acr', 'methods', 'bindTransaction', 'singleUse'] },
);

const decision = fc.constantFrom('allow' as const, 'step_up' as const, 'deny' as const);

export const decisionResponseArb: fc.Arbitrary<DecisionResponse> = fc.record(
  {
    decisionId: id,
    decision,
    reasons: fc.array(reasonArb, { maxLength: 3 }),
    risk: fc.record({
      score: fc.integer({ min: 0, max: 100 }),
      level: fc.constantFrom('low' as const, 'medium' as const, 'high' as const),
      signals: jsonMap,
    }),
    requirement: requirementArb,
    challenge: fc.record({ id, expiresAt: dateTime, methods }),
    reportOnly: fc.array(
      fc.record({ policyId: id, decision, reasons: fc.array(reasonArb, { maxLength: 2 }) }),
      {
        maxLength: 2,
      },
    ),
    policyVersion: text(64),
  },
  { requiredKeys: ['decisionId', 'decision', 'reasons', 'risk', 'reportOnly', 'policyVersion'] },
);

export const stepUpAnswerArb: fc.Arbitrary<StepUpAnswerBody> = fc.record({
  error: fc.record({ code: fc.constant('insufficient_user_authentication' as const), message: text(100) }),
  stepUp: fc.record(
    {
      challengeId: id,
      challengeUrl: fc.webUrl({ withQueryParameters: true }),
      acr: text(40),
      maxAge: seconds,
      methods,
      expiresAt: dateTime,
    },
    { requiredKeys: ['challengeId', 'challengeUrl', 'acr', 'methods', 'expiresAt'] },
  ),
});

export const errorBodyArb: fc.Arbitrary<ErrorBody> = fc.record({
  error: fc.record(
    {
      code: fc.constantFrom(...(Object.keys(ERROR_CODES) as ErrorCode[])),
      message: text(200),
      attemptsLeft: fc.nat({ max: 10 }),
      path: fc.string({ maxLength: 40 }),
      retryAfter: fc.nat({ max: 3600 }),
      details: fc.record(
        {
          field: text(80),
          policyId: text(40),
          expected: fc.constantFrom(...FIELD_TYPES),
          actual: fc.constantFrom('string', 'null', 'array', 'object', 'non-finite number'),
          policyVersion: text(80),
        },
        { requiredKeys: ['field', 'expected', 'actual', 'policyVersion'] },
      ),
    },
    { requiredKeys: ['code', 'message'] },
  ),
});

export const challengeViewArb: fc.Arbitrary<ChallengeView> = fc.record(
  {
    id,
    status: fc.constantFrom('pending' as const, 'verified' as const, 'failed' as const, 'expired' as const),
    action: text(60),
    transaction: jsonMap,
    level,
    acr: text(40),
    methods: fc.array(fc.record({ method, destination: text(40) }, { requiredKeys: ['method'] }), {
      maxLength: 5,
    }),
    attemptsLeft: fc.nat({ max: 5 }),
    expiresAt: dateTime,
  },
  { requiredKeys: ['id', 'status', 'action', 'level', 'acr', 'methods', 'attemptsLeft', 'expiresAt'] },
);

export const verifyRequestArb: fc.Arbitrary<VerifyRequest> = fc.oneof(
  fc.record(
    {
      method: fc.constantFrom('totp' as const, 'email_otp' as const, 'sms_otp' as const),
      code: fc.stringMatching(/^[0-9]{6,8}$/),
      rememberDevice: fc.boolean(),
    },
    { requiredKeys: ['method', 'code'] },
  ),
  fc.record(
    {
      method: fc.constantFrom('webauthn' as const, 'biometric' as const),
      response: jsonMap,
      rememberDevice: fc.boolean(),
    },
    { requiredKeys: ['method', 'response'] },
  ),
  fc.record(
    {
      method: fc.constant('biometric' as const),
      deviceKey: fc.record({ keyId: id, signature: digest }),
      rememberDevice: fc.boolean(),
    },
    { requiredKeys: ['method', 'deviceKey'] },
  ),
);

export const verifyAnswerArb: fc.Arbitrary<VerifyAnswer> = fc.record(
  {
    token: text(500),
    acr: text(40),
    amr: fc.array(fc.constantFrom(...AMR_VALUES), { maxLength: 4 }),
    expiresAt: dateTime,
    deviceToken: text(500),
  },
  { requiredKeys: ['token', 'acr', 'amr', 'expiresAt'] },
);

export const factorViewArb: fc.Arbitrary<FactorView> = fc.record(
  {
    id,
    method,
    label: text(60),
    maxLevel: level,
    createdAt: dateTime,
    lastUsedAt: dateTime,
    backupEligible: fc.boolean(),
  },
  { requiredKeys: ['id', 'method', 'maxLevel', 'createdAt'] },
);

export const enrollmentViewArb: fc.Arbitrary<EnrollmentView> = fc.record(
  {
    userId: id,
    displayName: text(60),
    methods,
    factors: fc.array(factorViewArb, { maxLength: 4 }),
    expiresAt: dateTime,
  },
  { requiredKeys: ['userId', 'methods', 'factors', 'expiresAt'] },
);

export const userUpsertArb: fc.Arbitrary<UserUpsertRequest> = fc.record(
  {
    displayName: text(60),
    email: fc.option(fc.constantFrom('ada@example.com', 'j.doe+tag@bank.example'), { nil: null }),
    phone: fc.option(fc.stringMatching(/^\+[1-9][0-9]{6,14}$/), { nil: null }),
    subject: subjectArb,
    stepUpToken: fc.constantFrom('eyJ.e30.sig', 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln'),
  },
  { requiredKeys: [] },
);

export const tokenClaimsArb: fc.Arbitrary<StepUpTokenClaims> = fc.record(
  {
    iss: fc.webUrl(),
    sub: id,
    aud: text(60),
    iat: seconds,
    exp: seconds,
    nbf: seconds,
    jti: id,
    acr: text(40),
    amr: fc.array(fc.constantFrom(...AMR_VALUES), { maxLength: 4 }),
    auth_time: seconds,
    sid: id,
    authorization_details: fc.array(
      fc.record(
        { type: fc.constant('urn:stepgate:step-up' as const), action: text(60), digest, method },
        { requiredKeys: ['type', 'action', 'digest'] },
      ),
      { maxLength: 2 },
    ),
  },
  {
    requiredKeys: [
      'iss',
      'sub',
      'aud',
      'iat',
      'exp',
      'jti',
      'acr',
      'amr',
      'auth_time',
      'authorization_details',
    ],
  },
);
