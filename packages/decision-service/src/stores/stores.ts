/**
 * The store family of a running service, as one bundle (the seam of the composition root): the
 * domain stores of `store.ts`, the {@link ChallengeStore} (the one owner of the challenge
 * lifecycle) and the {@link WebAuthnStore}. A family is chosen by configuration (`store.type`)
 * through the driver registry (`store-drivers.ts`), or handed to `startDecisionService` directly
 * (`StartOptions.stores`).
 */
import type { AuditChainSource, ServiceAuditLog } from '../audit/audit-port.js';
import type { ChallengeStore } from './challenge-store.js';
import type {
  DecisionEffects,
  DecisionStore,
  IdempotencyStore,
  KeyStore,
  PurgeBefore,
  Store,
  StoreLifecycle,
  TokenStore,
  UserStore,
} from './store.js';
import type { WebAuthnStore } from './webauthn-store.js';

/** Every store a service needs. */
export interface Stores {
  /** The family: `sqlite`, `postgres`, or an outside driver's name. */
  readonly type: string;
  users: UserStore;
  keys: KeyStore;
  decisions: DecisionStore;
  idempotency: IdempotencyStore;
  tokens: TokenStore;
  challenges: ChallengeStore;
  webauthn: WebAuthnStore;
  /**
   * The domain stores as one {@link Store}, the view the service's routes use. SQLite: the one
   * `SqliteStore` itself (no delegation on the hot path); other families: {@link composeStore}.
   */
  store: Store;
  /** Runs every part's migrations; idempotent. */
  migrate(): Promise<void>;
  /** Whether every part answers (`/readyz`). */
  ping(): Promise<boolean>;
  /** Deletes expired hot state, and history and decisions older than `before`. @returns rows/keys removed. */
  purgeExpired(now: number, before: PurgeBefore): Promise<number>;
  /** Closes every part (after the HTTP listener stopped). */
  close(): Promise<void>;
  /**
   * Opens the family's audit log when it keeps one (PostgreSQL: one chain for every replica);
   * absent: the service keeps `<dataDir>/audit.db`.
   */
  openAudit?(options: AuditOpenOptions): Promise<ServiceAuditLog>;
  /** The family's audit chain, for `stepgate audit verify|checkpoint|export` (with {@link Stores.openAudit}). */
  auditSource?(): AuditChainSource;
}

/** What {@link Stores.openAudit} gets from the service. */
export interface AuditOpenOptions {
  maxBatch?: number;
  /** How long decisions' replay inputs are kept, seconds (`audit.replay.retention`). */
  replayRetention?: number;
  now?: () => number;
  onBatch?: (size: number, seconds: number) => void;
  onFailure?: (error: Error) => void;
  /**
   * Deleting replay inputs past their retention failed (the batch itself is durable; the next
   * minute tries again). Only logs that prune apart from the batch call it (PostgreSQL).
   */
  onPruneFailure?: (error: Error) => void;
}

/** The parts {@link composeStore} composes. */
export interface StoreParts {
  users: UserStore;
  keys: KeyStore;
  decisions: DecisionStore;
  idempotency: IdempotencyStore;
  tokens: TokenStore;
  /** Where `recordDecision` opens a `step_up`'s challenge before the decision row. */
  challenges: ChallengeStore;
  /** Each part's lifecycle (durable store, hot store…), asked in order. */
  lifecycle: StoreLifecycle[];
  /** Purges the durable and hot parts (not the challenges: {@link Stores.purgeExpired} does). */
  purgeExpired(now: number, before?: PurgeBefore): Promise<number>;
}

/**
 * Composes domain stores held by different backends into one {@link Store}, as Kratos composes
 * its persister. `recordDecision` with a challenge writes the challenge and its binding to the
 * challenge store first, then the decision: a decision row never names a challenge that was not
 * stored (a challenge without its decision only expires).
 */
export function composeStore(p: StoreParts): Store {
  const { users, keys, decisions, idempotency, tokens, challenges } = p;
  return {
    async migrate() {
      for (const part of p.lifecycle) await part.migrate();
    },
    async ping() {
      const answers = await Promise.all(p.lifecycle.map((part) => part.ping().catch(() => false)));
      return answers.every(Boolean);
    },
    async close() {
      for (const part of p.lifecycle) await part.close();
    },
    upsertUser: (r) => users.upsertUser(r),
    getUser: (id) => users.getUser(id),
    insertFactor: (r) => users.insertFactor(r),
    listFactors: (userId) => users.listFactors(userId),
    deleteFactor: (userId, factorId) => users.deleteFactor(userId, factorId),
    deleteUser: (userId) => users.deleteUser(userId),
    touchFactor: (userId, factorId, at) => users.touchFactor(userId, factorId, at),
    insertApiKey: (r) => keys.insertApiKey(r),
    findApiKeyByHash: (hash) => keys.findApiKeyByHash(hash),
    revokeApiKey: (id, at) => keys.revokeApiKey(id, at),
    listApiKeys: () => keys.listApiKeys(),
    insertSigningKey: (r) => keys.insertSigningKey(r),
    listSigningKeys: (use) => keys.listSigningKeys(use),
    retireSigningKeys: (use, exceptKid, at) => keys.retireSigningKeys(use, exceptKid, at),
    insertConsoleSession: (r) => keys.insertConsoleSession(r),
    getConsoleSession: (idHash, now) => keys.getConsoleSession(idHash, now),
    deleteConsoleSession: (idHash) => keys.deleteConsoleSession(idHash),
    loadUserState: (q) => decisions.loadUserState(q),
    async recordDecision(effects: DecisionEffects) {
      if (effects.challenge) {
        await challenges.putBinding(effects.challenge.binding);
        await challenges.insertChallenge(effects.challenge.record);
        const { challenge: _opened, ...rest } = effects;
        return decisions.recordDecision(rest);
      }
      return decisions.recordDecision(effects);
    },
    getDecision: (id) => decisions.getDecision(id),
    setFeedback: (id, label, note, at) => decisions.setFeedback(id, label, note, at),
    recordFailure: (userId, at) => decisions.recordFailure(userId, at),
    claimIdempotency: (scope, key, hash, now, exp) =>
      idempotency.claimIdempotency(scope, key, hash, now, exp),
    completeIdempotency: (scope, key, status, response) =>
      idempotency.completeIdempotency(scope, key, status, response),
    releaseIdempotency: (scope, key) => idempotency.releaseIdempotency(scope, key),
    consumeJti: (jti, exp, now) => tokens.consumeJti(jti, exp, now),
    insertDeviceToken: (r) => tokens.insertDeviceToken(r),
    getDeviceToken: (jti) => tokens.getDeviceToken(jti),
    revokeDeviceTokens: (userId, deviceId, at) => tokens.revokeDeviceTokens(userId, deviceId, at),
    purgeExpired: (now, before) => p.purgeExpired(now, before),
  };
}
