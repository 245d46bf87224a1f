/**
 * `@stepgate/decision-service/testing`: the store contract suites, so an outside store family can
 * prove it keeps every guarantee the built-in ones do, and a private PostgreSQL + Redis for tests.
 * Needs vitest (a peer of this entry only).
 *
 * @example
 * import { describeStoreContract } from '@stepgate/decision-service/testing';
 * describeStoreContract('my store', async () => (await openMyStores()).store);
 */
export {
  type ChallengeStoreFactory,
  describeChallengeStoreContract,
  pendingChallenge,
} from './stores/contract/challenge-store-contract.js';
export { describeStoreContract, type StoreFactory } from './stores/contract/store-contract.js';
export {
  describeWebAuthnStoreContract,
  type WebAuthnStoreFactory,
} from './stores/contract/webauthn-store-contract.js';
export {
  openPgRedisTestEnv,
  type PgRedisTestEnv,
  testServiceUrls,
} from './stores/postgres/pg-redis-test-env.js';
