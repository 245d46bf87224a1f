/**
 * The store interface (docs/design/storage.md). Every method is async so that a PostgreSQL + Redis
 * implementation can follow behind the same contract suite (`stores/contract/`). Times are Unix
 * milliseconds; ids are opaque strings chosen by the caller.
 */
import type { Decision, Geo, Level, Method } from '@stepgate/protocol';
import type { ChallengeBinding } from './challenge-store.js';

/** An API key as stored: only the HMAC of the key, never the key. */
export interface ApiKeyRecord {
  id: string;
  /** HMAC-SHA-256 of the key under the master key (`Sealer.hmac('api-key', key)`). */
  hash: string;
  /** The audience the key is scoped to; admin keys have the default audience. */
  audience: string;
  admin: boolean;
  label?: string;
  createdAt: number;
  revokedAt?: number;
}

/**
 * A console sign-in (docs/operators.md "The console"), kept in the store so that every replica
 * behind a load balancer knows it and a sign-out ends it everywhere.
 */
export interface ConsoleSessionRecord {
  /** HMAC-SHA-256 of the cookie's value (`Sealer.hmac('console-session', id)`): a copy of the store holds no usable cookie. */
  idHash: string;
  /** The admin API key the console relays with, sealed under the master key (context `console-session:<idHash>`). */
  keySealed: string;
  createdAt: number;
  expiresAt: number;
}

/** What a signing key signs: upgraded tokens (published) or remembered-device tokens (never published). */
export type SigningKeyUse = 'step_up' | 'device';

/** A signing key: the private key sealed under the master key. */
export interface SigningKeyRecord {
  kid: string;
  use: SigningKeyUse;
  alg: 'ES256';
  /** The public JWK as JSON. */
  publicJwk: string;
  /** The PKCS#8 private key, sealed (`Sealer.seal`, context `signing-key:<kid>`). */
  privateSealed: string;
  createdAt: number;
  /** When a newer key replaced it; it still verifies until its tokens expire. */
  retiredAt?: number;
}

/** A user and their contact points. */
export interface UserRecord {
  id: string;
  displayName?: string;
  email?: string;
  phone?: string;
  updatedAt: number;
}

/** An enrolled factor (the challenge issues add TOTP, WebAuthn and device keys). */
export interface FactorRecord {
  id: string;
  userId: string;
  method: Method;
  maxLevel: Level;
  label?: string;
  /** Method-specific data, sealed when it holds a secret. */
  data?: string;
  createdAt: number;
  lastUsedAt?: number;
}

/** The last request of a user. */
export interface LastSeen {
  at: number;
  ip?: string;
  geo?: Geo;
}

/** What the store knows about a user before a decision, for the engine's history snapshot. */
export interface UserState {
  user?: UserRecord;
  factors: FactorRecord[];
  /** Time and place of the user's last allowed decision. */
  lastSeen?: LastSeen;
  /** The device id was seen for this user before. */
  deviceKnown: boolean;
  /** The fingerprint hash was seen for this user before (a weak hint). */
  fingerprintSeen: boolean;
  /** Distinct users seen on this device id, this user included. */
  accountsOnDevice: number;
  /** Failed challenges since `windowStart`. */
  recentFailures: number;
  /** Requests per action name since `windowStart`. */
  actionCounts: Record<string, number>;
}

/** Parameters of {@link Store.loadUserState}. */
export interface UserStateQuery {
  userId: string;
  deviceId?: string;
  fingerprintHash?: string;
  /** Start of the sliding window for counts, ms. */
  windowStart: number;
}

/** A decision as kept for feedback and tuning (never a token). */
export interface DecisionRecord {
  id: string;
  at: number;
  userId: string;
  action: string;
  decision: Decision;
  apiKeyId: string;
  policyVersion: string;
}

/** What a decision changes in the user's state, written in one transaction. */
export interface DecisionEffects {
  decision: DecisionRecord;
  userId: string;
  action: string;
  at: number;
  ip?: string;
  geo?: Geo;
  deviceId?: string;
  fingerprintHash?: string;
  /** The device id is already stored for this user (from `loadUserState`): nothing to write. */
  deviceKnown?: boolean;
  /** The fingerprint hash is already stored for this user: nothing to write. */
  fingerprintSeen?: boolean;
  /**
   * The challenge a `step_up` opened, stored atomically with the decision: a challenge is never
   * handed out without its decision, nor a decision recorded without its challenge. A store family
   * that keeps bindings in its hot store (Redis) writes the binding there first.
   */
  challenge?: { record: ChallengeRecord; binding: ChallengeBinding };
}

/** A challenge created with a `step_up` verdict (the challenge issue adds its lifecycle). */
export interface ChallengeRecord {
  id: string;
  userId: string;
  sessionId?: string;
  action: string;
  digest: string;
  /** The server's copy of the transaction, JSON. */
  transaction?: string;
  /** The requirement, JSON. */
  requirement: string;
  methods: Method[];
  decisionId: string;
  audience: string;
  createdAt: number;
  expiresAt: number;
  status: 'pending' | 'verified' | 'failed' | 'expired';
  attempts: number;
}

/** A remembered-device token as issued (only its id; the token itself is never stored). */
export interface DeviceTokenRecord {
  jti: string;
  userId: string;
  deviceId: string;
  issuedAt: number;
  expiresAt: number;
  revokedAt?: number;
}

/** The outcome of {@link Store.claimIdempotency}. */
export type IdempotencyClaim =
  | { state: 'claimed' }
  | { state: 'done'; requestHash: string; status: number; response: string }
  | { state: 'pending'; requestHash: string };

/**
 * What every store part has: migrations, a health check, and closing. Each part of a family
 * (durable rows, hot state) implements it so `/readyz` can ask each one.
 */
export interface StoreLifecycle {
  /** Runs pending migrations; idempotent. */
  migrate(): Promise<void>;
  /** Tells whether the store answers (for `/readyz`). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Users and their factors: durable rows (SQLite file; PostgreSQL). Every write here that changes
 * who may step up is durable (fsynced / committed) before it resolves; reads see every write that
 * resolved before them, on any replica.
 */
export interface UserStore {
  /**
   * Creates or replaces a user, durably before it resolves: an email or phone is an enrolled
   * email_otp/sms_otp factor, so a removed or replaced one must not come back.
   */
  upsertUser(record: UserRecord): Promise<void>;
  getUser(id: string): Promise<UserRecord | undefined>;

  /**
   * Adds a factor, durably before it resolves: a factor lost after it was announced would leave
   * the account less protected than its user believes (with none, an aal1 session may enroll a
   * first factor again, S31).
   */
  insertFactor(record: FactorRecord): Promise<void>;
  listFactors(userId: string): Promise<FactorRecord[]>;
  /**
   * Removes a user's factor, durably before it resolves: a removed factor must not come back.
   * @returns false when the user has no such factor.
   */
  deleteFactor(userId: string, factorId: string): Promise<boolean>;
  /**
   * Erases a user, durably before it resolves: the user's row (contact points), factors, known
   * devices and fingerprints, last place, action counts, failures and remembered-device tokens.
   * Decisions go with `decisions.retention`; audit records stay (the chain keeps every record).
   * @returns false when the store held nothing about the user.
   */
  deleteUser(userId: string): Promise<boolean>;
  /**
   * Records that a factor verified a challenge at `at` (its `lastUsedAt`). It never moves back:
   * verifications may finish out of order, on different replicas (SQL: `GREATEST`/`MAX` in one
   * statement). Not fsynced: a lost one only shows an older time.
   * @returns false when the user has no such factor.
   */
  touchFactor(userId: string, factorId: string, at: number): Promise<boolean>;
}

/**
 * API keys and signing keys: durable rows. Revocation and retirement are durable before they
 * resolve and seen by every replica on its next read (API keys are read per request; signing keys
 * are re-read every `KEY_REFRESH_MS`).
 */
export interface KeyStore {
  insertApiKey(record: ApiKeyRecord): Promise<void>;
  findApiKeyByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  /** Revokes an API key, durably before it resolves. @returns false when it is unknown or already revoked. */
  revokeApiKey(id: string, at: number): Promise<boolean>;
  /** Every API key (revoked ones too), oldest first, for `stepgate apikey list`. */
  listApiKeys(): Promise<ApiKeyRecord[]>;

  insertSigningKey(record: SigningKeyRecord): Promise<void>;
  /** Every key of a use, newest first. */
  listSigningKeys(use: SigningKeyUse): Promise<SigningKeyRecord[]>;
  /**
   * Marks every unretired key of `use` other than `exceptKid` as retired at `at`, durably before it
   * resolves: rotation is how a leaked key stops being trusted.
   */
  retireSigningKeys(use: SigningKeyUse, exceptKid: string, at: number): Promise<void>;

  /** Stores a console session, durably before it resolves. */
  insertConsoleSession(record: ConsoleSessionRecord): Promise<void>;
  /** The session, unless it is unknown or has expired at `now`. */
  getConsoleSession(idHash: string, now: number): Promise<ConsoleSessionRecord | undefined>;
  /** Ends a session (sign-out), durably before it resolves. Unknown: nothing happens. */
  deleteConsoleSession(idHash: string): Promise<void>;
}

/**
 * Decisions and the history they feed (action counts, devices, last place, failures): durable
 * rows. `recordDecision` is atomic (one transaction) but not fsynced one by one: SQLite and
 * PostgreSQL both commit decisions of one event-loop turn together (group commit); a decision
 * lost to a power failure only loses history, never a security state.
 */
export interface DecisionStore {
  /** Everything the engine's history snapshot needs, in one read. */
  loadUserState(query: UserStateQuery): Promise<UserState>;
  /**
   * Records a decision and what it changes (action count, device, last seen) atomically. Only an
   * `allow` moves the last location: a refused or unfinished request from far away must not make
   * the user's next request from home look like impossible travel. A `step_up`'s challenge
   * (`effects.challenge`) is opened with it: in a family whose {@link ChallengeStore} is a
   * different store (Redis), the challenge is written there first, so a decision never points
   * at a missing challenge.
   */
  recordDecision(effects: DecisionEffects): Promise<void>;
  getDecision(id: string): Promise<DecisionRecord | undefined>;
  /** @returns false when there is no such decision. */
  setFeedback(id: string, label: 'fraud' | 'legit', note: string | undefined, at: number): Promise<boolean>;

  /** Counts a failed challenge for a user (the challenge issue calls it). */
  recordFailure(userId: string, at: number): Promise<void>;
}

/**
 * Idempotency keys: hot state (SQLite table; Redis keys with a TTL). `claimIdempotency` is atomic
 * across replicas: of any number of concurrent claims of one key, exactly one gets `claimed`
 * (SQLite: `BEGIN IMMEDIATE`; Redis: one Lua script).
 */
export interface IdempotencyStore {
  /**
   * Claims an idempotency key for a caller: `claimed` the first time; `done` with the stored
   * answer once {@link IdempotencyStore.completeIdempotency} ran; `pending` while another request
   * holds it. A pending claim older than 60 s counts as abandoned and may be claimed again.
   */
  claimIdempotency(
    scope: string,
    key: string,
    requestHash: string,
    now: number,
    expiresAt: number,
  ): Promise<IdempotencyClaim>;
  completeIdempotency(scope: string, key: string, status: number, response: string): Promise<void>;
  /** Drops a claim whose request failed, so a retry can run. */
  releaseIdempotency(scope: string, key: string): Promise<void>;
}

/**
 * Token state: single-use token ids (hot: SQLite table; Redis `SET NX PX`) and remembered-device
 * tokens (durable rows).
 */
export interface TokenStore {
  /**
   * Consumes a single-use token id atomically (S17): true exactly once per `jti`, across every
   * process and replica sharing the store, durable before it resolves (SQLite: fsynced insert;
   * Redis: `SET NX` — see docs/deployment.md for Redis persistence). Kept until `expiresAt`.
   */
  consumeJti(jti: string, expiresAt: number, now: number): Promise<boolean>;

  insertDeviceToken(record: DeviceTokenRecord): Promise<void>;
  getDeviceToken(jti: string): Promise<DeviceTokenRecord | undefined>;
  /**
   * Revokes every remembered-device token of a user (or of one device), durably before it
   * resolves. @returns how many.
   */
  revokeDeviceTokens(userId: string, deviceId: string | undefined, at: number): Promise<number>;
}

/**
 * The service's view of persistence: every domain store in one object (as Kratos composes its
 * persister). SQLite implements it in one class; the PostgreSQL + Redis family composes it from
 * its parts ({@link composeStore}). `stores/contract/store-contract.ts` is the contract suite.
 * The challenge lifecycle (creation, status, attempts) is not here: its one owner is the
 * {@link ChallengeStore}.
 */
export interface Store
  extends StoreLifecycle,
    UserStore,
    KeyStore,
    DecisionStore,
    IdempotencyStore,
    TokenStore {
  /**
   * Deletes expired jtis, idempotency records and console sessions; action counts and failures
   * older than `before.history` (outside every sliding window); decisions made before
   * `before.decisions` (past the feedback window, `decisions.retention`); remembered-device
   * tokens that expired before `before.deviceTokens`. @returns rows removed.
   */
  purgeExpired(now: number, before?: PurgeBefore): Promise<number>;
}

/** Times (ms) before which history and decisions are deleted by `purgeExpired`; each optional. */
export interface PurgeBefore {
  /** Action counts and failures older than this. */
  history?: number;
  /** Decisions (the rows feedback labels) made before this. */
  decisions?: number;
  /** Remembered-device tokens that expired before this (revoked or not). */
  deviceTokens?: number;
}
