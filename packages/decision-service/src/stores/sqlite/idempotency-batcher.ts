import type { IdempotencyClaim } from '../store.js';
import { inOneTransaction } from './one-transaction.js';
import type { Row } from './rows.js';
import type { SqliteStore } from './sqlite-store.js';
import { TurnBatch } from './turn-batch.js';

/** A pending idempotency claim older than this was abandoned (its process died), ms. */
const ABANDONED_CLAIM_MS = 60_000;

/** One `claimIdempotency` call. */
interface Claim {
  scope: string;
  key: string;
  requestHash: string;
  now: number;
  expiresAt: number;
}

/** One `completeIdempotency` call. */
interface Completion {
  scope: string;
  key: string;
  status: number;
  response: string;
}

/** The claim of one key, for a caller that holds the write transaction. */
function claimKey(store: SqliteStore, c: Claim): IdempotencyClaim {
  // Expired answers go; so does a claim abandoned by a process that died mid-request.
  store
    .sql(
      'DELETE FROM idempotency WHERE scope = ? AND key = ? AND (expires_at < ? OR (status IS NULL AND created_at < ?))',
    )
    .run(c.scope, c.key, c.now, c.now - ABANDONED_CLAIM_MS);
  const row = store.sql('SELECT * FROM idempotency WHERE scope = ? AND key = ?').get(c.scope, c.key) as
    | Row
    | undefined;
  if (row === undefined) {
    store
      .sql(
        'INSERT INTO idempotency (scope, key, request_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(c.scope, c.key, c.requestHash, c.now, c.expiresAt);
    return { state: 'claimed' };
  }
  if (row.status === null) return { state: 'pending', requestHash: row.request_hash as string };
  return {
    state: 'done',
    requestHash: row.request_hash as string,
    status: row.status as number,
    response: row.response as string,
  };
}

/**
 * Group commit for idempotency keys. Every request a node-client guard sends carries one, so each
 * decision would otherwise pay two commits of its own (the claim before deciding, the stored answer
 * after): the claims asked for in one event-loop turn share one `BEGIN IMMEDIATE` transaction, and
 * so do the answers. Each call still resolves only once its own write is committed, claims of one
 * key in one turn are made in order (the first is `claimed`, the next sees it `pending`), and the
 * transaction's write lock keeps a claim atomic against other processes as before.
 *
 * @example
 * const keys = new IdempotencyBatcher(store);
 * const claim = await keys.claim({ scope: 'key_1', key: 'k', requestHash: 'h', now, expiresAt });
 */
export class IdempotencyBatcher {
  readonly #claims: TurnBatch<Claim, IdempotencyClaim>;
  readonly #completions: TurnBatch<Completion, void>;

  constructor(store: SqliteStore) {
    this.#claims = new TurnBatch((claims) => inOneTransaction(store, claims, (c) => claimKey(store, c)));
    this.#completions = new TurnBatch((completions) =>
      inOneTransaction(store, completions, (c) => {
        store
          .sql('UPDATE idempotency SET status = ?, response = ? WHERE scope = ? AND key = ?')
          .run(c.status, c.response, c.scope, c.key);
      }),
    );
  }

  /** Queues a claim; resolves with its outcome once committed. */
  claim(c: Claim): Promise<IdempotencyClaim> {
    return this.#claims.add(c);
  }

  /** Queues a stored answer; resolves once committed. */
  complete(c: Completion): Promise<void> {
    return this.#completions.add(c);
  }

  /** Writes what is queued now (before the store closes). */
  flush(): void {
    this.#claims.flush();
    this.#completions.flush();
  }
}
