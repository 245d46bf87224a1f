import type { Stores } from '../stores.js';
import { SqliteChallengeStore } from './sqlite-challenge-store.js';
import { SqliteStore } from './sqlite-store.js';
import { SqliteWebAuthnStore } from './sqlite-webauthn-store.js';
import { startWalCheckpointer } from './wal-checkpointer.js';

/** Options of {@link openSqliteStores}. */
export interface SqliteStoresOptions {
  /** Path of the database file (`<dataDir>/stepgate.db`). */
  file: string;
  /** Copy the WAL back from a worker thread (the service does; tools need not). @defaultValue true */
  checkpointer?: boolean;
}

/**
 * The embedded family: every store in one SQLite file, migrated. Every domain store is the one
 * {@link SqliteStore} (no delegation on the decision path); the challenge and WebAuthn stores
 * share its connection, so a decision and the challenge it opens commit in one transaction.
 *
 * @example
 * const stores = await openSqliteStores({ file: 'data/stepgate.db' });
 */
export async function openSqliteStores(
  options: SqliteStoresOptions,
): Promise<Stores & { store: SqliteStore }> {
  const store = new SqliteStore({ file: options.file });
  let stopCheckpointer: (() => Promise<void>) | undefined;
  try {
    await store.migrate();
    // Their durable writes join the main store's group commit: one fsync per event-loop turn.
    const durably = <R>(work: () => R) => store.durably(work);
    const challenges = new SqliteChallengeStore(store.db, durably);
    await challenges.migrate();
    const webauthn = new SqliteWebAuthnStore(store.db, durably);
    await webauthn.migrate();
    if (options.checkpointer ?? true) stopCheckpointer = startWalCheckpointer(store.db, options.file);
    return {
      type: 'sqlite',
      store,
      users: store,
      keys: store,
      decisions: store,
      idempotency: store,
      tokens: store,
      challenges,
      webauthn,
      async migrate() {
        await store.migrate();
        await challenges.migrate();
        await webauthn.migrate();
      },
      ping: () => store.ping(),
      async purgeExpired(now, before) {
        let n = await store.purgeExpired(now, before);
        n += await challenges.purgeExpired(now);
        n += await webauthn.purgeExpired(now);
        return n;
      },
      async close() {
        await stopCheckpointer?.();
        stopCheckpointer = undefined;
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
