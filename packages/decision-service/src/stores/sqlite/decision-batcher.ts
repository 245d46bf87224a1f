import type { DecisionEffects } from '../store.js';
import type { SqliteStore } from './sqlite-store.js';
import { recordDecision, writeDecision } from './user-state.js';

interface Pending {
  effects: DecisionEffects;
  resolve: () => void;
  reject: (error: unknown) => void;
}

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
  readonly #store: SqliteStore;
  #pending: Pending[] = [];
  #scheduled = false;

  constructor(store: SqliteStore) {
    this.#store = store;
  }

  /** Queues a decision's writes; resolves once they are committed. */
  record(effects: DecisionEffects): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ effects, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Writes what is queued now (also called before the store closes). */
  flush(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    try {
      this.#store.transact(() => {
        for (const p of batch) writeDecision(this.#store, p.effects);
      }, true);
    } catch {
      for (const p of batch) {
        try {
          recordDecision(this.#store, p.effects);
          p.resolve();
        } catch (error) {
          p.reject(error);
        }
      }
      return;
    }
    for (const p of batch) p.resolve();
  }
}
