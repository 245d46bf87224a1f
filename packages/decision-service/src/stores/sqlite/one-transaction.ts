import type { SqliteStore } from './sqlite-store.js';
import type { BatchOutcome } from './turn-batch.js';

/**
 * Runs `items` in one `BEGIN IMMEDIATE` transaction, each in its own savepoint: an item that
 * throws leaves nothing behind and fails only its own caller; a failed commit fails them all.
 * `durable`: the commit is fsynced before this returns (see `commitDurably`); call it outside any
 * transaction, as a `TurnBatch` flush is.
 */
export function inOneTransaction<I, O>(
  store: SqliteStore,
  items: I[],
  run: (item: I) => O,
  { durable = false } = {},
): BatchOutcome<O>[] {
  const each = () =>
    items.map((item): BatchOutcome<O> => {
      try {
        // Nested, so a savepoint (better-sqlite3 rolls it back when `run` throws).
        return { value: store.transact(() => run(item)) };
      } catch (error) {
        return { error };
      }
    });
  return durable ? store.transactDurable(each) : store.transact(each, true);
}
