import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { expireAtFor, lua, RedisRunner } from '../redis/redis-scripts.js';
import type {
  AssertionUpdate,
  CredentialRow,
  WebAuthnChallengeRecord,
  WebAuthnStore,
} from '../webauthn-store.js';
import { bool, int, type PgRow, str } from './pg-rows.js';

/** Sorted set of the WebAuthn challenge keys by logical expiry. */
const INDEX = 'exp:wa';

/** Takes a challenge: `GETDEL`, so of any number of takes on any replicas one gets it. KEYS: challenge, index. */
const TAKE = lua(`
local v = redis.call('GETDEL', KEYS[1])
redis.call('ZREM', KEYS[2], KEYS[1])
return v
`);

/**
 * The {@link WebAuthnStore} of the PostgreSQL + Redis family: challenges and nonces in Redis
 * (`SET … PXAT`; taken with one `GETDEL` script, S11), the credential index in PostgreSQL (its
 * signature counter compare-and-set is one `UPDATE … WHERE counter = expected`, committed before
 * it resolves, S14).
 */
export class PgWebAuthnStore implements WebAuthnStore {
  readonly #pool: Pool;
  readonly #r: RedisRunner;

  constructor(pool: Pool, redis: Redis, prefix: string) {
    this.#pool = pool;
    this.#r = new RedisRunner(redis, prefix);
  }

  /** The credential table comes with the PostgreSQL migrations. */
  async migrate(): Promise<void> {}

  async putChallenge(record: WebAuthnChallengeRecord): Promise<void> {
    const key = this.#r.key('wa', record.key);
    await this.#r.call(async () => {
      const results = await this.#r.redis
        .multi()
        .set(key, JSON.stringify(record), 'PXAT', expireAtFor(record.expiresAt))
        .zadd(this.#r.key(INDEX), record.expiresAt, key)
        .exec();
      for (const [error] of results ?? []) if (error) throw error;
    });
  }

  async takeChallenge(key: string, now: number): Promise<WebAuthnChallengeRecord | undefined> {
    const raw = await this.#r.run(TAKE, [this.#r.key('wa', key), this.#r.key(INDEX)], []);
    if (typeof raw !== 'string') return undefined;
    const record = JSON.parse(raw) as WebAuthnChallengeRecord;
    return record.expiresAt <= now ? undefined : record;
  }

  async insertCredential(row: CredentialRow): Promise<boolean> {
    const r = await this.#pool.query(
      `INSERT INTO webauthn_credentials (credential_id, factor_id, user_id, counter, backup_state)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [row.credentialId, row.factorId, row.userId, row.counter, row.backupState],
    );
    return r.rowCount === 1;
  }

  async getCredential(credentialId: string): Promise<CredentialRow | undefined> {
    const r = await this.#pool.query('SELECT * FROM webauthn_credentials WHERE credential_id = $1', [
      credentialId,
    ]);
    const row = r.rows[0] as PgRow | undefined;
    if (!row) return undefined;
    return {
      credentialId,
      factorId: str(row, 'factor_id'),
      userId: str(row, 'user_id'),
      counter: int(row, 'counter'),
      backupState: bool(row, 'backup_state'),
    };
  }

  async recordAssertion(credentialId: string, expected: number, next: AssertionUpdate): Promise<boolean> {
    const r = await this.#pool.query(
      'UPDATE webauthn_credentials SET counter = $1, backup_state = $2 WHERE credential_id = $3 AND counter = $4',
      [next.counter, next.backupState, credentialId, expected],
    );
    return r.rowCount === 1;
  }

  async deleteByFactor(factorId: string): Promise<void> {
    await this.#pool.query('DELETE FROM webauthn_credentials WHERE factor_id = $1', [factorId]);
  }

  purgeExpired(now: number): Promise<number> {
    return this.#r.purge(INDEX, now);
  }
}
