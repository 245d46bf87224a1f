/** The outcome of one queued item: its value, or the error that fails only its own caller. */
export type BatchOutcome<O> = { value: O } | { error: unknown };

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Collects what is asked for in one event-loop turn and runs it together at the end of the turn
 * (`setImmediate`): one SQLite transaction for many requests instead of one each. `run` gets the
 * items in order and returns one outcome per item, or throws to fail the whole batch.
 *
 * @example
 * const reads = new TurnBatch((ids: string[]) => store.transact(() => ids.map((id) => ({ value: get(id) }))));
 * const row = await reads.add('u1');
 */
export class TurnBatch<I, O> {
  readonly #run: (items: I[]) => BatchOutcome<O>[];
  #pending: Pending<I, O>[] = [];
  #scheduled = false;

  constructor(run: (items: I[]) => BatchOutcome<O>[]) {
    this.#run = run;
  }

  /** Queues an item; settles once the batch it joined has run. */
  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Runs what is queued now (also called before the store closes). */
  flush(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    let outcomes: BatchOutcome<O>[];
    try {
      outcomes = this.#run(batch.map((p) => p.item));
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    for (const [i, p] of batch.entries()) {
      const outcome = outcomes[i]!;
      if ('value' in outcome) p.resolve(outcome.value);
      else p.reject(outcome.error);
    }
  }
}
