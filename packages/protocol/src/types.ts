/**
 * Wire types of docs/design/wire-contract.md and "HTTP API": every request and answer body.
 * Each has a JSON Schema in `schemas.ts`; the service validates with them and the widget's
 * tests check their mocks against them.
 *
 * Conventions: `authTime`, `iat`, `exp`, `auth_time` are Unix seconds (as in OIDC and JWT);
 * `expiresAt` and other timestamps in bodies are RFC 3339 strings; `maxAge` is seconds.
 */
import type { ErrorBody } from './errors.js';
import type { FieldType } from './field-types.js';
import type { Amr, Level, Method } from './levels.js';
import type { Performer } from './performers.js';

/** A verdict. */
export type Decision = 'allow' | 'step_up' | 'deny';

/** All verdict values, for exhaustive checks (an unknown value must fail closed, S20). */
export const DECISIONS = ['allow', 'step_up', 'deny'] as const satisfies readonly Decision[];

/** Who is asking: asserted by the app's backend from its own session. */
export interface Subject {
  /** The user id in the app. */
  id: string;
  /** The app's session id; upgraded tokens are bound to it (`sid`). */
  sessionId?: string;
  /** When the session's user last authenticated, Unix seconds. */
  authTime?: number;
  /** The session's level: a configured `acr` value or a bare level name. Absent means `aal1`. */
  acr?: string;
  /** The user's roles in the app, for policy conditions. */
  roles?: string[];
  /**
   * The Stepgate methods that proved the session's level: the app records them, e.g. from the
   * `method` of the upgraded token that raised the session, or maps its own identity provider's
   * `amr`. Only a session that names one of the allowed methods meets a requirement that
   * restricts methods (`restrictsMethods`); absent or empty, such a requirement is not met by
   * the session and the step-up runs (docs/security-model.md S24).
   */
  methods?: Method[];
}

/** What is being done. */
export interface Action {
  /** A dotted action name, such as `payments.transfer` or `iam.role.grant`. */
  name: string;
}

/** What it is done to. */
export interface Resource {
  type?: string;
  id?: string;
  attributes?: Record<string, unknown>;
}

/**
 * Whatever the user confirms: amount, currency and payee for a payment; target user and new
 * role for a role change. Any JSON object; its digest binds an upgraded token to it.
 */
export type Transaction = Record<string, unknown>;

/** Device signals collected by sdk-core (docs/design/wire-contract.md "Step-Up-Context header"). */
export interface DeviceSignals {
  /** IANA time zone, e.g. `Europe/Paris`. */
  tz?: string;
  /** Preferred languages, comma-separated. */
  lang?: string;
  /** Screen as `WIDTHxHEIGHT@DPR`. */
  screen?: string;
  platform?: string;
  cores?: number;
  /** Device memory in GiB (Chromium only). */
  memory?: number;
  /** Maximum touch points. */
  touch?: number;
  colorDepth?: number;
  /** WebGL unmasked renderer. */
  webgl?: string;
  /** `navigator.webdriver` or other automation hints. */
  webdriver?: boolean;
  /** WebAuthn available in this browser. */
  webauthn?: boolean;
  /** A user-verifying platform authenticator is available. */
  platformAuthenticator?: boolean;
  /** The page runs in a webview: `ios`, `android`, `react-native`, or absent. */
  webview?: string;
}

/** The decoded `Step-Up-Context` header. Client-supplied: it can raise risk, never lower it (S25). */
export interface StepUpContext {
  v: 1;
  /** A per-browser random id. */
  deviceId: string;
  /** A hash of the device signals: a weak hint only. */
  fingerprint: string;
  /** A remembered-device token the service issued; the only thing that can lower risk. */
  deviceToken?: string;
  signals: DeviceSignals;
}

/** Geo position of the request, if the backend knows it (for example from its CDN). */
export interface Geo {
  /** ISO 3166-1 alpha-2 country code. */
  country?: string;
  lat?: number;
  lon?: number;
}

/** Where the request comes from. */
export interface RequestContext {
  /** The client's IP address as the backend determined it. */
  ip?: string;
  userAgent?: string;
  /** The decoded `Step-Up-Context` header, forwarded as is. */
  device?: StepUpContext;
  geo?: Geo;
}

/** Body of `POST /v1/decisions`. */
export interface DecisionRequest {
  subject: Subject;
  action: Action;
  resource?: Resource;
  transaction?: Transaction;
  context?: RequestContext;
  /** The `Step-Up-Token` header of the request, when present. */
  stepUpToken?: string;
  /**
   * An ID token (or a JWT access token) from a configured identity provider, presented as the
   * evidence of a step-up that provider performed (docs/idp.md). The service verifies it and maps
   * its `acr`/`amr` with the operator's map; it never lowers what a policy asks for.
   */
  idpToken?: string;
}

/** Why a verdict is what it is. */
export interface Reason {
  /** The policy that matched, or a built-in reason source such as `stepgate`. */
  policyId: string;
  /** A stable code, e.g. `policy_matched`, `requirement_unsatisfiable`, `token_accepted`, `token_rejected`. */
  code: string;
  /** A human-readable explanation. */
  detail?: string;
  /** The signal and request values that made the policy match. */
  values?: Record<string, unknown>;
}

/** Low, medium or high risk. */
export type RiskLevel = 'low' | 'medium' | 'high';

/** The computed risk of a request. */
export interface Risk {
  /** 0–100. */
  score: number;
  level: RiskLevel;
  /** Signal values (session age, device known, geo velocity, IP reputation, …). */
  signals: Record<string, unknown>;
}

/** What a step-up must prove. */
export interface Requirement {
  level: Level;
  /** The configured `acr` value of `level`. */
  acr: string;
  /** Seconds; absent means no freshness limit; 0 means "for this request only". */
  maxAge?: number;
  /** Methods that can meet the requirement, in order of preference. */
  methods: Method[];
  bindTransaction: boolean;
  singleUse: boolean;
  /**
   * Present (and `true`) only when every policy behind the requirement accepts a token minted
   * for another action (`require.anyAction`); otherwise a token counts only for the action in its
   * `authorization_details` (RFC 9396, docs/security-model.md S34).
   */
  anyAction?: boolean;
  /**
   * Present (and `true`) only when some policy behind the requirement names `require.methods`:
   * then a session meets it only when `subject.methods` names one of the allowed methods
   * (`methods`, or `providerMethods` when a provider performs), and a token only when its
   * `authorization_details` entry names one (`method`). Absent, any method that reaches the
   * level counts, as the session's `acr` says (docs/security-model.md S24).
   */
  restrictsMethods?: true;
  /**
   * Who may perform the step-up, preferred first: `stepgate` (Stepgate's own challenges) and
   * `idp:<id>` (a configured OpenID Connect provider). Absent means `['stepgate']`.
   */
  performers?: Performer[];
  /**
   * Present only when the policies restrict methods (`require.methods`) and an identity provider
   * may perform the step-up: the methods a provider's proof must show, in order of preference —
   * its token's `amr` must hold a value that the provider's `methods` map turns into one of them
   * (docs/idp.md "Restricting methods across performers"). Never empty.
   */
  providerMethods?: Method[];
}

/**
 * The authorization request parameters of a step-up at an OpenID Connect provider (OpenID
 * Connect Core §3.1.2.1, RFC 9470 §4). Never a secret: the app adds `redirect_uri`, `state` and,
 * for PKCE, `code_challenge`.
 */
export interface ProviderAuthorizationParams {
  client_id: string;
  /** @defaultValue 'code' */
  response_type: string;
  /** At least `openid`. */
  scope: string;
  /**
   * The provider's `acr` values that meet the requirement, in order of preference (least friction
   * first); absent when only its `amr` values are mapped.
   */
  acr_values?: string;
  /** Seconds, when the requirement has a freshness limit. */
  max_age?: string;
  /** `login` when the requirement has `maxAge: 0`: the user authenticates again, whatever their session. */
  prompt?: string;
  /**
   * OpenID Connect Core §5.5: `auth_time` requested as essential, and the `acr` claim as
   * essential with the acceptable values when there are some.
   */
  claims: string;
  /**
   * Made by the service for this user, session, action and transaction: an ID token that carries
   * it is bound to this request (and is the only kind that meets a bound requirement).
   */
  nonce: string;
}

/** What a client needs to send the user to an identity provider for a step-up. */
export interface ProviderStepUp {
  /** `idp:<id>`. */
  performer: `idp:${string}`;
  /** The provider's display name, for "Continue with …". */
  name: string;
  /** The provider's issuer identifier. */
  issuer: string;
  /** The provider's authorization endpoint (from OpenID Connect Discovery). */
  authorizationEndpoint: string;
  params: ProviderAuthorizationParams;
  /** Until when the `nonce` is accepted. */
  expiresAt: string;
}

/** A challenge created with a `step_up` verdict. */
export interface ChallengeRef {
  /** `chl_…`, at least 128 random bits. */
  id: string;
  expiresAt: string;
  /** Methods this user may use for this challenge: the requirement's methods ∩ enrolled methods. */
  methods: Method[];
}

/** What a report-only policy would have decided. */
export interface ReportOnlyOutcome {
  policyId: string;
  decision: Decision;
  reasons: Reason[];
}

/** Answer of `POST /v1/decisions`. */
export interface DecisionResponse {
  decisionId: string;
  decision: Decision;
  reasons: Reason[];
  risk: Risk;
  /** Present with `step_up`, and with `allow` when a requirement was met. */
  requirement?: Requirement;
  /** Present with `step_up` when Stepgate performs it (its own challenge). */
  challenge?: ChallengeRef;
  /** Present with `step_up` when identity providers may perform it, in order of preference. */
  providers?: ProviderStepUp[];
  reportOnly: ReportOnlyOutcome[];
  /** A stable hash of the policy document that decided. */
  policyVersion: string;
}

/**
 * `error.details` of a 400 `invalid_request` answered for a request field whose value does not fit
 * the type the policies give it (docs/policies.md "Typed fields"): the request was refused, not
 * evaluated.
 */
export interface InvalidFieldDetails {
  /** The field path, e.g. `transaction.amount`. */
  field: string;
  /** The first enforced policy that reads the field; absent when only the document's `fields` declares it. */
  policyId?: string;
  /** The field's type. */
  expected: FieldType;
  /** What the request held instead: `string`, `null`, `array`, `object`, … */
  actual: string;
  /** The policy version whose field types were applied. */
  policyVersion: string;
}

/** One field of `GET /v1/policies/fields`. */
export interface PolicyFieldInfo {
  type: FieldType;
  /** Ids of the policies that read the field, in document order (none when only declared). */
  policies: string[];
  /** Only report-only policies read it: a wrong type is reported by them, the request is not refused. */
  reportOnly?: boolean;
}

/** Answer of `GET /v1/policies/fields`: the field types of the policies in force. */
export interface PolicyFieldsAnswer {
  policyVersion: string;
  /** By field path (`transaction.amount`, `resource.attributes.owner`, …). */
  fields: Record<string, PolicyFieldInfo>;
}

/** `stepUp` member of a guarded route's 401 answer. */
export interface StepUpInfo {
  challengeId: string;
  /** Absolute URL of `GET /v1/challenges/{id}`, through the app's proxy when one is mounted. */
  challengeUrl: string;
  acr: string;
  maxAge?: number;
  methods: Method[];
  expiresAt: string;
  /** Identity providers that may perform this step-up instead ("Continue with …"). */
  providers?: ProviderStepUp[];
}

/** Body of a guarded route's 401 step-up answer when Stepgate performs the step-up. */
export interface StepUpAnswerBody {
  error: { code: 'insufficient_user_authentication'; message: string };
  stepUp: StepUpInfo;
}

/** Body of a guarded route's 401 step-up answer when only identity providers perform it. */
export interface ProviderStepUpAnswerBody {
  error: { code: 'insufficient_user_authentication'; message: string };
  providers: ProviderStepUp[];
}

/** A reason that is safe to show to the end user. */
export interface PublicReason {
  policyId: string;
  code: string;
  detail?: string;
}

/** Body of a guarded route's 403 deny answer. */
export interface DenyAnswerBody {
  error: { code: 'access_denied'; message: string };
  reasons: PublicReason[];
}

/**
 * Why a method of a challenge cannot take an attempt now: every authenticator it could use is
 * `locked` (too many consecutive failures, until another factor at its level or an admin unlocks
 * it, S35) or `waiting` (back-off) until `until`. The widget says so and offers another method.
 */
export type MethodLock = { state: 'locked' } | { state: 'waiting'; until: string };

/** One allowed method in a challenge view. */
export interface ChallengeMethodView {
  method: Method;
  /** Masked destination for `email_otp` (`j***@example.com`) and `sms_otp` (`•••• 1234`). */
  destination?: string;
  /** Present when the method cannot take an attempt now; `start` sends no code then. */
  lock?: MethodLock;
}

/** Status of a challenge. */
export type ChallengeStatus = 'pending' | 'verified' | 'failed' | 'expired';

/** Answer of `GET /v1/challenges/{id}`. */
export interface ChallengeView {
  id: string;
  status: ChallengeStatus;
  /** The action id, for the app (never shown to the user). */
  action: string;
  /** What the action is called for the user, by language (`{ en: 'Transfer money', fr: 'Virement' }`), from the policies' `actions`. */
  actionLabel?: Record<string, string>;
  /** The server's copy of the transaction: what the user confirms (S18). */
  transaction?: Transaction;
  level: Level;
  acr: string;
  methods: ChallengeMethodView[];
  attemptsLeft: number;
  expiresAt: string;
}

/** Body of `POST /v1/challenges/{id}/start`. */
export interface StartRequest {
  method: Method;
}

/** `start` answer for `email_otp` and `sms_otp`. */
export interface CodeSentAnswer {
  /** The masked destination. */
  sentTo: string;
  /** Seconds until a resend is allowed. */
  resendAfter: number;
}

/** A WebAuthn JSON structure (`PublicKeyCredential*OptionsJSON`, `*ResponseJSON`), passed through as is. */
export type WebAuthnJson = { [key: string]: unknown };

/** `start` answer for `webauthn` and `biometric`: WebAuthn request options. */
export interface WebAuthnStartAnswer {
  publicKey: WebAuthnJson;
}

/** `start` answer for `totp`: nothing to do. */
export type TotpStartAnswer = Record<string, never>;

/** Any `start` answer. */
export type StartAnswer = CodeSentAnswer | WebAuthnStartAnswer | TotpStartAnswer;

/** A native device-key signature over the challenge bytes (webview bridge). */
export interface DeviceKeyAssertion {
  keyId: string;
  /** base64url ECDSA P-256 signature (DER or IEEE P1363) over the challenge bytes. */
  signature: string;
}

/** Body of `POST /v1/challenges/{id}/verify`. */
export type VerifyRequest =
  | { method: 'totp' | 'email_otp' | 'sms_otp'; code: string; rememberDevice?: boolean }
  | { method: 'webauthn' | 'biometric'; response: WebAuthnJson; rememberDevice?: boolean }
  | { method: 'biometric'; deviceKey: DeviceKeyAssertion; rememberDevice?: boolean };

/** Answer of a successful verify. */
export interface VerifyAnswer {
  /** The upgraded token, for the `Step-Up-Token` header of the retried request. */
  token: string;
  acr: string;
  amr: Amr[];
  expiresAt: string;
  /** A remembered-device token, when policy allows. */
  deviceToken?: string;
}

/** Body of any failed verify (S10): wrong, expired, used, unknown and locked look the same. */
export interface ChallengeFailedBody extends ErrorBody {
  error: { code: 'challenge_failed'; message: string; attemptsLeft: number };
}

/**
 * Body of `PUT /v1/users/{id}`. Email and phone are factors: for a user who already has a factor,
 * adding, replacing or removing one first answers an {@link EnrollmentStepUpAnswer} (S31, S33);
 * the call is then repeated with the same values and `stepUpToken`.
 */
export interface UserUpsertRequest {
  displayName?: string;
  /** A verified email address: counts as an enrolled `email_otp` factor. `null` removes it. */
  email?: string | null;
  /** A verified phone number in E.164: counts as an enrolled `sms_otp` factor. `null` removes it. */
  phone?: string | null;
  /** The user's session, for the step-up a contact change needs. @defaultValue `{ id }` of the path */
  subject?: Subject;
  /** The upgraded token of the step-up a previous answer asked for (action `stepgate.contact.change`). */
  stepUpToken?: string;
}

/** Answer of `PUT /v1/users/{id}`: the user as stored, or the step-up a contact change needs first. */
export type UserUpsertAnswer = UserView | EnrollmentStepUpAnswer;

/** A user as the service keeps it. */
export interface UserView {
  id: string;
  displayName?: string;
  email?: string;
  phone?: string;
}

/** A user's enrolled factor. */
export interface FactorView {
  id: string;
  method: Method;
  label?: string;
  /** The highest level this factor can reach (device-bound, attested). */
  maxLevel: Level;
  createdAt: string;
  lastUsedAt?: string;
  /** WebAuthn: the credential may be synced to other devices (backup eligible). */
  backupEligible?: boolean;
}

/** Answer of `GET /v1/users/{id}/factors`. */
export interface FactorListAnswer {
  factors: FactorView[];
}

/** Body of `POST /v1/decisions/{id}/feedback`. */
export interface FeedbackRequest {
  label: 'fraud' | 'legit';
  note?: string;
}

/** Body of `POST /v1/enrollments`. */
export interface EnrollmentRequest {
  userId: string;
  subject: Subject;
  /** The method to be added, when known: the step-up goes to that factor's level. */
  method?: Method;
  /** An upgraded token from a step-up that this enrollment asked for. */
  stepUpToken?: string;
}

/** Answer of `POST /v1/enrollments` when the ticket is issued. */
export interface EnrollmentTicketAnswer {
  /** `enr_…`, the browser's capability for the enrollment routes. */
  ticket: string;
  expiresAt: string;
}

/** Answer of `POST /v1/enrollments` when the user must step up first (S31). */
export interface EnrollmentStepUpAnswer {
  decision: 'step_up';
  requirement: Requirement;
  challenge: ChallengeRef;
}

/** Answer of `GET /v1/enrollments/{ticket}`. */
export interface EnrollmentView {
  userId: string;
  displayName?: string;
  /** Methods that can be added with this ticket. */
  methods: Method[];
  factors: FactorView[];
  expiresAt: string;
}

/** Answer of `POST /v1/enrollments/{ticket}/totp`. */
export interface TotpEnrollmentAnswer {
  /** Base32 secret, shown once. */
  secret: string;
  otpauthUri: string;
}

/** Body of `POST /v1/enrollments/{ticket}/totp/confirm`. */
export interface TotpConfirmRequest {
  code: string;
  label?: string;
}

/** Answer of a completed enrollment step. */
export interface FactorAddedAnswer {
  factor: FactorView;
}

/** Body of `DELETE /v1/users/{id}/factors/{factorId}`: the session, and the token of its step-up (S31). */
export interface FactorRemovalRequest {
  subject: Subject;
  stepUpToken?: string;
}

/** Answer of `DELETE /v1/users/{id}/factors/{factorId}` once the factor is removed. */
export interface FactorRemovedAnswer {
  removed: FactorView;
}

/**
 * Body of `DELETE /v1/users/{id}`: the user (`subject.id` is the user's id) and, on the retry, the
 * token of the step-up the first call asked for.
 */
export interface UserDeletionRequest {
  subject: Subject;
  stepUpToken?: string;
}

/** Answer of `DELETE /v1/users/{id}` once the user is erased: whose, and how many factors went. */
export interface UserDeletedAnswer {
  deleted: { userId: string; factors: number };
}

/** Answer of `POST /v1/enrollments/{ticket}/webauthn/options`. */
export interface WebAuthnRegistrationOptionsAnswer {
  publicKey: WebAuthnJson;
}

/** Body of `POST /v1/enrollments/{ticket}/webauthn/verify`. */
export interface WebAuthnRegistrationVerifyRequest {
  response: WebAuthnJson;
  label?: string;
}

/** A P-256 public key as a JWK. */
export interface P256PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

/** Body of `POST /v1/enrollments/{ticket}/device-key`. */
export interface DeviceKeyEnrollmentRequest {
  publicKey: P256PublicJwk;
  label: string;
}

/** RFC 9396 authorization detail that binds an upgraded token to an action and transaction. */
export interface StepUpAuthorizationDetail {
  type: 'urn:stepgate:step-up';
  action: string;
  /** `transactionDigest({ action, transaction })`. */
  digest: string;
  /**
   * The method of the step-up that minted the token (for an identity provider's proof, the
   * allowed method its `amr` maps to). RFC 8176 `amr` cannot tell a TOTP from an emailed code, so
   * a requirement that restricts methods reads this (S24). Absent in tokens minted before it
   * existed: they meet no such requirement.
   */
  method?: Method;
}

/** Claims of an upgraded token (`typ: stepup+jwt`, docs/design/wire-contract.md "Tokens"). */
export interface StepUpTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  iat: number;
  exp: number;
  nbf?: number;
  jti: string;
  acr: string;
  amr: Amr[];
  /** When the step-up method was verified, Unix seconds. */
  auth_time: number;
  sid?: string;
  authorization_details: StepUpAuthorizationDetail[];
}

/** Claims of a remembered-device token (`typ: stepgate-device+jwt`). */
export interface DeviceTokenClaims {
  iss: string;
  sub: string;
  iat: number;
  exp: number;
  jti: string;
  /** The device id it was issued to. */
  did: string;
}

/** The `typ` header of an upgraded token. */
export const STEP_UP_TOKEN_TYPE = 'stepup+jwt';
/** The `typ` header of a remembered-device token. */
export const DEVICE_TOKEN_TYPE = 'stepgate-device+jwt';
/** The `type` of the RFC 9396 authorization detail in an upgraded token. */
export const STEP_UP_AUTHORIZATION_TYPE = 'urn:stepgate:step-up';

/**
 * HTTP header names.
 *
 * @example
 * decodeStepUpContext(request.headers.get(HEADERS.context));
 */
export const HEADERS = {
  context: 'Step-Up-Context',
  token: 'Step-Up-Token',
  clientIp: 'Stepgate-Client-IP',
  idempotencyKey: 'Idempotency-Key',
} as const;
