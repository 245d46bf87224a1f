import type { DecisionEffects } from '../store.js';
import type { SqliteStore } from './sqlite-store.js';
import { type BatchOutcome, TurnBatch } from './turn-batch.js';
import { recordDecision, writeDecision } from './user-state.js';

/**
 * Group commit for decision records: the decisions recorded in one event-loop turn are written in
 * one `BEGIN IMMEDIATE` transaction (one commit instead of one per request). Each `record`
 * resolves only once its rows are committed, so a caller that awaited it reads them back; a
 * decision is still all-or-nothing. If the shared transaction fails, each decision is retried in
 * its own, so one bad record fails only its own request.
 *
 * @example
 * const batcher = new DecisionBatcher(store);
 * await batcher.record(effects);
 */
export class DecisionBatcher {
  readonly #batch: TurnBatch<DecisionEffects, void>;

  constructor(store: SqliteStore) {
    this.#batch = new TurnBatch((batch): BatchOutcome<void>[] => {
      try {
        store.transact(() => {
          for (const effects of batch) writeDecision(store, effects);
        }, true);
        return batch.map(() => ({ value: undefined }));
      } catch {
        return batch.map((effects) => {
          try {
            recordDecision(store, effects);
            return { value: undefined };
          } catch (error) {
            return { error };
          }
        });
      }
    });
  }

  /** Queues a decision's writes; resolves once they are committed. */
  record(effects: DecisionEffects): Promise<void> {
    return this.#batch.add(effects);
  }

  /** Writes what is queued now (also called before the store closes). */
  flush(): void {
    this.#batch.flush();
  }
}
