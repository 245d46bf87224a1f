/**
 * Public types of the policy engine (CONTRACTS.md "@stepgate/policy-engine").
 * The document format is described in docs/policies.md and by `policySchema`.
 */
import type {
  AcrValues,
  Decision,
  DecisionRequest,
  FieldType,
  Geo,
  Level,
  Method,
  Reason,
  ReportOnlyOutcome,
  Requirement,
  Risk,
  StepUpTokenClaims,
  Subject,
} from '@stepgate/protocol';

/** The effect of a policy when its `when` matches. */
export type PolicyEffect = 'allow' | 'step_up' | 'deny';

/** `enforce` (the default) decides; `report-only` is evaluated and reported, never enforced. */
export type PolicyMode = 'enforce' | 'report-only';

/**
 * What a policy does when its condition cannot be decided because a request field it reads is
 * missing (docs/policies.md "Missing fields"): `step_up` (only with `require`), `deny`, or
 * `skip` (the policy does not apply; the verdict still says which field was missing).
 */
export type OnMissing = 'step_up' | 'deny' | 'skip';

/** A duration: seconds as a number, or a string such as `90s`, `5m`, `2h`, `1d`, `1h30m`. */
export type Duration = number | string;

/**
 * A condition (docs/policies.md "Conditions"). A mapping is an implicit `all` of its entries;
 * each key is a field path (`transaction.amount`, `risk.geo.velocityKmh`) or `all` / `any` / `not`.
 */
export type Condition = { readonly [key: string]: unknown } | readonly Condition[];

/** What a step-up must prove, as a document writes it. */
export interface RequireSpec {
  /** The level the whole authentication must reach. */
  level: Level;
  /** Freshness: seconds or a duration string; `0` means "for this request only". Absent: no limit. */
  maxAge?: Duration;
  /** Methods allowed for this policy; absent means every enabled method that reaches `level`. */
  methods?: Method[];
  /** Bind the upgraded token to this action and transaction (single use). @defaultValue false */
  bindTransaction?: boolean;
  /**
   * Accept an upgraded token minted for another action. By default every token counts only for
   * the action in its `authorization_details` (RFC 9396, S34), bound or not. Not allowed with
   * `bindTransaction: true` or `maxAge: 0`, whose token is bound to this very request.
   * @defaultValue false
   */
  anyAction?: boolean;
  /**
   * Who may perform the step-up: `stepgate` (Stepgate's own challenges), `idp:<id>` (one of the
   * service's configured OpenID Connect providers, docs/idp.md) or `any` (Stepgate or any
   * configured provider). Matching policies combine to the performers they all allow.
   * @defaultValue 'stepgate'
   */
  performer?: PerformerSpec;
}

/** A `require.performer` value: `stepgate`, `any`, or `idp:<id>`. */
export type PerformerSpec = 'stepgate' | 'any' | `idp:${string}`;

/**
 * An identity provider as the engine sees it: its id, the highest level its map can prove, and
 * the Stepgate methods its `amr` values count as.
 */
export interface IdpReach {
  /** The provider's id (`idp:<id>` in policies). */
  id: string;
  /** The highest level its `acrMap`/`amrMap` gives: it performs step-ups up to this level only. */
  maxLevel: Level;
  /**
   * The Stepgate methods its `amr` values count as (the values of `idps[].methods`): it performs
   * a requirement that restricts methods (`require.methods`) only when one of these is allowed.
   * Absent or empty: it never performs such a requirement (fail closed).
   */
  methods?: readonly Method[];
}

/** One policy of a document. */
export interface PolicyRule {
  /** A unique id, reported in reasons. */
  id: string;
  description?: string;
  /** @defaultValue 'enforce' */
  mode?: PolicyMode;
  /** The condition; absent matches every request. */
  when?: Condition;
  /** @defaultValue 'step_up' when `require` is present, otherwise required. */
  effect?: PolicyEffect;
  require?: RequireSpec;
  /**
   * When a request field the condition needs is missing.
   * @defaultValue the policy's own effect when it is `deny` or `step_up` (fail closed); `skip` for an `allow` policy
   */
  onMissing?: OnMissing;
}

/** Names of the risk signals that feed the weighted score (docs/policies.md "Risk"). */
export type RiskWeightName =
  | 'newDevice'
  | 'sharedDevice'
  | 'sessionAge'
  | 'geoVelocity'
  | 'countryChange'
  | 'ipReputation'
  | 'automation'
  | 'amount'
  | 'failures'
  | 'actionVelocity';

/** Risk scoring settings of a document. */
export interface RiskSettings {
  /** Points each signal adds at full strength; the score is their sum, capped at 100. */
  weights?: Partial<Record<RiskWeightName, number>>;
  /** Score at which the level becomes medium / high. @defaultValue `{ medium: 30, high: 60 }` */
  thresholds?: { medium?: number; high?: number };
  /** Speed above which travel is impossible, km/h. @defaultValue 900 */
  impossibleTravelKmh?: number;
  /** Distances below this are geolocation noise and give no velocity, km. @defaultValue 100 */
  minTravelKm?: number;
  /** Session age at which `sessionAge` reaches full strength. @defaultValue '24h' */
  sessionAgeHigh?: Duration;
  /** Transaction amount at which `amount` reaches full strength. @defaultValue 10000 */
  amountHigh?: number;
  /** Recent failures at which `failures` reaches full strength. @defaultValue 5 */
  failuresHigh?: number;
  /** Count of this action in the recent window at which `actionVelocity` is full. @defaultValue 20 */
  actionCountHigh?: number;
  /** Accounts on one device at which `sharedDevice` is full. @defaultValue 4 */
  accountsHigh?: number;
  /** Strength (0–1) of `ipReputation` for an IP on each named list; lists not named add nothing. */
  lists?: Record<string, number>;
}

/** A policy document (docs/policies.md). */
export interface PolicyDocument {
  /** Format version; only `1` exists. @defaultValue 1 */
  version?: 1;
  /** Level each method proves on its own (the `acr` of a token minted after it, S34), or `false` to disable it (NIST defaults). */
  methods?: Partial<Record<Method, Level | false>>;
  risk?: RiskSettings;
  /** Named CIDR lists, for `cidr` conditions by name and for `risk.ip.reputation`. */
  ipLists?: Record<string, string[]>;
  policies: PolicyRule[];
  /**
   * Types of request fields, by path (`transaction.amount: number`); fields conditions compare get
   * one inferred from their operators otherwise (docs/policies.md "Typed fields").
   */
  fields?: Record<string, FieldType>;
  /**
   * What each action is called for end users, per language (`payments.transfer: { label: { en:
   * 'Transfer money', fr: 'Virement' } }`): the challenge view and the code messages carry it, so
   * the raw action id never reaches an end user (docs/policies.md "Action labels").
   */
  actions?: Record<string, { label: Record<string, string> }>;
  /** Required (S22): what happens when no enforced policy matches. */
  default: 'allow' | 'deny';
}

/** Options of `compilePolicy`. */
export interface CompileOptions {
  /** `acr` values of the levels, as configured in the service. @defaultValue DEFAULT_ACR_VALUES */
  acrValues?: AcrValues;
  /** Extra named CIDR lists (for example loaded from files by the service); they extend the document's. */
  ipLists?: Record<string, string[]>;
  /**
   * Generate one matching function with `new Function` (values only through a constant table).
   * `false` interprets the same condition trees instead (for a CSP without `unsafe-eval`; the
   * engine also falls back by itself when `new Function` throws).
   * @defaultValue true
   */
  codegen?: boolean;
  /**
   * The identity providers the service is configured with. When given, a policy naming another
   * `idp:<id>` is invalid, and so is one naming `idp:<id>` with `require.methods` that provider's
   * `methods` cannot prove; `any` means Stepgate plus these, and a provider performs only the
   * step-ups its map can reach and, for a requirement that restricts methods, only when one of its
   * methods is allowed. Absent: the providers the document names, each up to aal3 with every method.
   */
  idps?: readonly IdpReach[];
}

/** A user's enrolled factor as the engine sees it. */
export interface EnrolledMethod {
  method: Method;
  /** The highest level this factor can reach (WebAuthn: aal3 only when device-bound with UV). */
  maxLevel: Level;
}

/** What the service knows about the user and device, passed in (the engine does no I/O). */
export interface HistorySnapshot {
  enrolledMethods: ReadonlyArray<EnrolledMethod>;
  /** `rememberedToken`: the service verified a device token it signed for THIS user (S25). */
  device: { rememberedToken: boolean; fingerprintSeen: boolean; accountsOnDevice: number };
  /** The user's previous request. */
  last?: { at: number; geo?: Geo; ip?: string };
  /** Failed challenges in the recent window. */
  recentFailures: number;
  /** This user's count per action name in the recent window. */
  actionCounts: Readonly<Record<string, number>>;
}

/** Input of `evaluate` and `whatIf`. */
export interface EvaluationInput {
  request: DecisionRequest;
  /** Unix seconds; the engine never reads a clock. */
  now: number;
  history: HistorySnapshot;
}

/**
 * A request field whose value does not fit its type: the request is invalid (a `deny` with reason
 * `invalid_field`; the decision service answers 400 `invalid_request`).
 */
export interface InvalidField {
  /** The field path, e.g. `transaction.amount`. */
  field: string;
  /** The first enforced policy that compares the field; absent when only `fields` declares it. */
  policyId?: string;
  expected: FieldType;
  /** What the request held: `string`, `null`, `array`, `object`, `non-finite number`, … */
  actual: string;
}

/** A verdict (`evaluate` never throws; malformed input gives a `deny` with code `invalid_input`). */
export interface Verdict {
  decision: Decision;
  reasons: Reason[];
  risk: Risk;
  /** The combined requirement, with `step_up` and with `allow` when the session met it. */
  requirement?: Requirement;
  /** With a requirement: the methods this user has enrolled that reach its level, preferred first. */
  usableMethods?: Method[];
  reportOnly: ReportOnlyOutcome[];
  policyVersion: string;
  /**
   * Present when a request field does not fit its type: the request is invalid and was not
   * evaluated (`decision` is `deny` with reason `invalid_field`, so a caller that ignores this
   * member still fails closed).
   */
  invalid?: InvalidField;
}

/** Why a policy did not match: its first failing condition. */
export interface FailedCondition {
  /** JSON path of the condition inside the policy, e.g. `/policies/2/when/transaction.amount`. */
  path: string;
  /** The field, or `any` / `not` for a combinator. */
  field: string;
  /** The operator (`eq`, `in`, `gt`, `glob`, `cidr`, `exists`, …). */
  op: string;
  /** The operand as the document wrote it. */
  expected: unknown;
  /** The value found in the request or signals. */
  actual: unknown;
  /** The condition is unknown rather than false: this request field is missing (its `onMissing` applies). */
  missing?: true;
}

/** `whatIf` result: the verdict plus, for each policy that did not match, why. */
export interface WhatIfResult extends Verdict {
  matched: string[];
  notMatched: Array<{ policyId: string; mode: PolicyMode; failed: FailedCondition }>;
}

/** Input of `checkRequirement`. */
export interface SatisfactionInput {
  now: number;
  subject: Subject;
  action: string;
  /** `transactionDigest({ action, transaction })` of this request, computed by the service. */
  digest?: string;
  /** Signature-verified claims of a presented upgraded token. */
  token?: StepUpTokenClaims;
  acrValues?: AcrValues;
}

/** Result of `checkRequirement`. */
export type SatisfactionResult =
  | { satisfied: true; by: 'session' | 'token' }
  | { satisfied: false; code: string; detail: string };

/** One case of a policy test file. */
export interface PolicyTestResult {
  name: string;
  passed: boolean;
  failures: string[];
  /** `invalid`: the field of the wrong type that made the request invalid. */
  actual: { decision: Decision; level?: Level; policies: string[]; invalid?: string };
}

/** Result of `evaluateTests`. */
export interface PolicyTestReport {
  passed: number;
  failed: number;
  total: number;
  results: PolicyTestResult[];
}

/** A typed field of a compiled document (`CompiledPolicy.fields`). */
export interface FieldInfo {
  type: FieldType;
  /** Ids of the policies that compare the field, in document order. */
  policies: readonly string[];
  /** Declared in the document's `fields` (otherwise inferred from the operators). */
  declared: boolean;
  /** Only report-only policies compare it (and it is not declared): a wrong type is reported, not refused. */
  reportOnly: boolean;
}

/** A compiled document: one decision function. */
export interface CompiledPolicy {
  /** Stable hash of the normalised document (`sha256:` + hex). */
  readonly version: string;
  readonly defaultEffect: 'allow' | 'deny';
  /** Level each method proves on its own (disabled methods keep their level but are not in `enabledMethods`). */
  readonly methodLevels: Readonly<Record<Method, Level>>;
  /** The document's action labels: action → language (lower case) → label. */
  readonly actionLabels: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Methods the document enables, strongest first. */
  readonly enabledMethods: readonly Method[];
  /** The policy ids, in document order. */
  readonly policyIds: readonly string[];
  /** The type of every request field the policies compare or the document declares, by path. */
  readonly fields: Readonly<Record<string, FieldInfo>>;
  /** Decides; never throws on any input object. */
  evaluate(input: EvaluationInput): Verdict;
  /** Decides, and says for each non-matching policy which condition failed first. */
  whatIf(input: EvaluationInput): WhatIfResult;
}
