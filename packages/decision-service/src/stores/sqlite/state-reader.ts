import type { UserState, UserStateQuery } from '../store.js';
import type { SqliteStore } from './sqlite-store.js';
import { readUserState } from './user-state.js';

interface Pending {
  query: UserStateQuery;
  resolve: (state: UserState) => void;
  reject: (error: unknown) => void;
}

/**
 * Batched user-state reads for the decision path: the reads asked for in one event-loop turn run
 * together in one read transaction, so each sees a consistent snapshot and the transaction's
 * begin and end (in WAL mode, file-lock system calls that cost more than the index lookups) are
 * paid once per turn instead of once per decision. A read that fails fails only its own caller.
 *
 * @example
 * const reader = new StateReader(store);
 * const state = await reader.read({ userId: 'u1', windowStart: Date.now() - 3_600_000 });
 */
export class StateReader {
  readonly #store: SqliteStore;
  #pending: Pending[] = [];
  #scheduled = false;

  constructor(store: SqliteStore) {
    this.#store = store;
  }

  /** Queues a read; resolves with the state at the snapshot of this turn's batch. */
  read(query: UserStateQuery): Promise<UserState> {
    return new Promise<UserState>((resolve, reject) => {
      this.#pending.push({ query, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Runs what is queued now. */
  flush(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    const results: Array<{ state?: UserState; error?: unknown }> = [];
    try {
      this.#store.transact(() => {
        for (const p of batch) {
          try {
            results.push({ state: readUserState(this.#store, p.query) });
          } catch (error) {
            results.push({ error });
          }
        }
      });
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    for (const [i, p] of batch.entries()) {
      const r = results[i]!;
      if (r.state) p.resolve(r.state);
      else p.reject(r.error);
    }
  }
}
