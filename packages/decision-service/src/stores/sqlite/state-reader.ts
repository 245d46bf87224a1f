import type { UserState, UserStateQuery } from '../store.js';
import type { SqliteStore } from './sqlite-store.js';
import { type BatchOutcome, TurnBatch } from './turn-batch.js';
import { readUserState } from './user-state.js';

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
  readonly #batch: TurnBatch<UserStateQuery, UserState>;

  constructor(store: SqliteStore) {
    this.#batch = new TurnBatch((queries) =>
      store.transact(() =>
        queries.map((query): BatchOutcome<UserState> => {
          try {
            return { value: readUserState(store, query) };
          } catch (error) {
            return { error };
          }
        }),
      ),
    );
  }

  /** Queues a read; resolves with the state at the snapshot of this turn's batch. */
  read(query: UserStateQuery): Promise<UserState> {
    return this.#batch.add(query);
  }
}
