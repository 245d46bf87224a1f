import type { Level, Method } from '@stepgate/protocol';
import type Database from 'better-sqlite3';
import type {
  AttemptCounter,
  AttemptReservation,
  ChallengeBinding,
  ChallengeStore,
  CompleteOutcome,
  EnrollmentTicketRecord,
  SentCodeRecord,
} from '../challenge-store.js';
import { CHALLENGE_MIGRATION, TICKET_PROVEN_LEVEL_MIGRATION } from './challenge-migration.js';
import { commitDurably } from './durable.js';
import { type Row, withOptional } from './rows.js';
import { statementCache } from './statements.js';

/** Writes a challenge's binding; shared with the decision batch, which stores it with its decision. */
export function insertBinding(sql: (text: string) => Database.Statement, b: ChallengeBinding): void {
  sql(
    `INSERT INTO challenge_bindings (challenge_id, factor_ids, email, phone, session_level, device_id, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    b.challengeId,
    JSON.stringify(b.factorIds),
    b.email ?? null,
    b.phone ?? null,
    b.sessionLevel,
    b.deviceId ?? null,
    b.expiresAt,
  );
}

/**
 * The embedded {@link ChallengeStore}: tables beside the main store's in the same SQLite file.
 * Each atomic step is one `BEGIN IMMEDIATE` transaction or one statement, so it holds across
 * processes sharing the file.
 *
 * @example
 * const challenges = new SqliteChallengeStore(sqliteStore.db);
 * await challenges.migrate();
 */
export class SqliteChallengeStore implements ChallengeStore {
  readonly #db: Database.Database;
  readonly #sql: (text: string) => Database.Statement;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#sql = statementCache(db);
  }

  async migrate(): Promise<void> {
    // Idempotent on a file the numbered migrations already brought up to date.
    this.#db.exec(CHALLENGE_MIGRATION);
    const columns = this.#db.pragma('table_info(enrollment_tickets)') as Array<{ name: string }>;
    if (!columns.some((c) => c.name === 'proven_level')) this.#db.exec(TICKET_PROVEN_LEVEL_MIGRATION);
  }

  async putBinding(b: ChallengeBinding): Promise<void> {
    insertBinding(this.#sql, b);
  }

  async getBinding(challengeId: string): Promise<ChallengeBinding | undefined> {
    const r = this.#sql('SELECT * FROM challenge_bindings WHERE challenge_id = ?').get(challengeId) as
      | Row
      | undefined;
    if (!r) return undefined;
    return withOptional(
      {
        challengeId,
        factorIds: JSON.parse(r.factor_ids as string) as string[],
        sessionLevel: r.session_level as Level,
        expiresAt: r.expires_at as number,
      },
      { email: r.email, phone: r.phone, deviceId: r.device_id },
    );
  }

  async putSentCode(c: SentCodeRecord): Promise<void> {
    this.#sql(
      `INSERT INTO sent_codes (challenge_id, method, hash, sent_at, expires_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (challenge_id) DO UPDATE SET method = excluded.method, hash = excluded.hash,
       sent_at = excluded.sent_at, expires_at = excluded.expires_at`,
    ).run(c.challengeId, c.method, c.hash, c.sentAt, c.expiresAt);
  }

  async getSentCode(challengeId: string): Promise<SentCodeRecord | undefined> {
    const r = this.#sql('SELECT * FROM sent_codes WHERE challenge_id = ?').get(challengeId) as
      | Row
      | undefined;
    return (
      r && {
        challengeId,
        method: r.method as SentCodeRecord['method'],
        hash: r.hash as string,
        sentAt: r.sent_at as number,
        expiresAt: r.expires_at as number,
      }
    );
  }

  async reserveAttempt(
    challengeId: string,
    counterKeys: string[],
    maxFailures: number,
    now: number,
  ): Promise<AttemptReservation | undefined> {
    // Durable before the code is compared: a count lost to a power failure would give a guess back (S7).
    return commitDurably(this.#db, () =>
      this.#db
        .transaction((): AttemptReservation | undefined => {
          const row = this.#sql(
            `UPDATE challenges SET attempts = attempts + 1
           WHERE id = ? AND status = 'pending' AND expires_at > ? AND attempts < ? RETURNING attempts`,
          ).get(challengeId, now, maxFailures) as Row | undefined;
          if (!row) return undefined;
          const counters: AttemptReservation['counters'] = {};
          for (const key of counterKeys) {
            const before = this.#sql('SELECT last_failure_at FROM attempt_counters WHERE key = ?').get(key) as
              | Row
              | undefined;
            const c = this.#sql(
              `INSERT INTO attempt_counters (key, failures, last_failure_at) VALUES (?, 1, ?)
             ON CONFLICT (key) DO UPDATE SET failures = failures + 1, last_failure_at = excluded.last_failure_at
             RETURNING failures`,
            ).get(key, now) as Row;
            counters[key] = withOptional(
              { failures: c.failures as number },
              { previousFailureAt: before?.last_failure_at },
            );
          }
          return { attempts: row.attempts as number, counters };
        })
        .immediate(),
    );
  }

  async settleFailure(challengeId: string, maxFailures: number): Promise<'pending' | 'failed'> {
    const changed = this.#sql(
      "UPDATE challenges SET status = 'failed' WHERE id = ? AND status = 'pending' AND attempts >= ?",
    ).run(challengeId, maxFailures).changes;
    return changed > 0 ? 'failed' : 'pending';
  }

  async completeChallenge(
    challengeId: string,
    now: number,
    totp?: { factorId: string; step: number },
  ): Promise<CompleteOutcome> {
    // Durable before the token is minted: a TOTP step lost to a power failure could be replayed (S6).
    return commitDurably(this.#db, () =>
      this.#db
        .transaction((): CompleteOutcome => {
          const pending = this.#sql(
            "SELECT 1 FROM challenges WHERE id = ? AND status = 'pending' AND expires_at > ?",
          ).get(challengeId, now);
          if (!pending) return 'not_pending';
          if (totp && !this.#advance(totp.factorId, totp.step)) return 'replay';
          this.#sql("UPDATE challenges SET status = 'verified' WHERE id = ?").run(challengeId);
          this.#sql('DELETE FROM sent_codes WHERE challenge_id = ?').run(challengeId);
          return 'ok';
        })
        .immediate(),
    );
  }

  async expireChallenge(challengeId: string): Promise<boolean> {
    return (
      this.#sql("UPDATE challenges SET status = 'expired' WHERE id = ? AND status = 'pending'").run(
        challengeId,
      ).changes > 0
    );
  }

  async readCounters(keys: string[]): Promise<Record<string, AttemptCounter>> {
    const out: Record<string, AttemptCounter> = {};
    for (const key of keys) {
      const r = this.#sql('SELECT failures, last_failure_at FROM attempt_counters WHERE key = ?').get(key) as
        | Row
        | undefined;
      out[key] = r
        ? withOptional({ failures: r.failures as number }, { lastFailureAt: r.last_failure_at })
        : { failures: 0 };
    }
    return out;
  }

  async resetCounters(keys: string[]): Promise<void> {
    const del = this.#sql('DELETE FROM attempt_counters WHERE key = ?');
    this.#db.transaction(() => {
      for (const key of keys) del.run(key);
    })();
  }

  #advance(factorId: string, step: number): boolean {
    return (
      this.#sql(
        `INSERT INTO totp_steps (factor_id, last_step) VALUES (?, ?)
         ON CONFLICT (factor_id) DO UPDATE SET last_step = excluded.last_step WHERE last_step < excluded.last_step`,
      ).run(factorId, step).changes === 1
    );
  }

  async advanceTotpStep(factorId: string, step: number): Promise<boolean> {
    return commitDurably(this.#db, () =>
      this.#db.transaction(() => this.#advance(factorId, step)).immediate(),
    );
  }

  async hitRateLimit(key: string, windowMs: number, now: number): Promise<number> {
    const start = Math.floor(now / windowMs) * windowMs;
    const r = this.#sql(
      `INSERT INTO rate_limits (key, window_start, hits, expires_at) VALUES (?, ?, 1, ?)
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN window_start = excluded.window_start THEN hits + 1 ELSE 1 END,
         window_start = excluded.window_start, expires_at = excluded.expires_at
       RETURNING hits`,
    ).get(key, start, start + windowMs) as Row;
    return r.hits as number;
  }

  async insertTicket(t: EnrollmentTicketRecord): Promise<void> {
    this.#sql(
      `INSERT INTO enrollment_tickets (id, user_id, session_id, methods, created_at, expires_at, pending_totp, attempts, used_at, proven_level)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      t.id,
      t.userId,
      t.sessionId ?? null,
      JSON.stringify(t.methods),
      t.createdAt,
      t.expiresAt,
      t.pendingTotp ?? null,
      t.attempts,
      t.usedAt ?? null,
      t.provenLevel ?? null,
    );
  }

  async getTicket(id: string): Promise<EnrollmentTicketRecord | undefined> {
    const r = this.#sql('SELECT * FROM enrollment_tickets WHERE id = ?').get(id) as Row | undefined;
    if (!r) return undefined;
    return withOptional(
      {
        id,
        userId: r.user_id as string,
        methods: JSON.parse(r.methods as string) as Method[],
        createdAt: r.created_at as number,
        expiresAt: r.expires_at as number,
        attempts: r.attempts as number,
      },
      {
        sessionId: r.session_id,
        pendingTotp: r.pending_totp,
        usedAt: r.used_at,
        provenLevel: r.proven_level,
      },
    );
  }

  async setPendingTotp(id: string, sealed: string): Promise<void> {
    this.#sql('UPDATE enrollment_tickets SET pending_totp = ?, attempts = 0 WHERE id = ?').run(sealed, id);
  }

  async recordTicketFailure(id: string): Promise<number> {
    const r = this.#sql(
      'UPDATE enrollment_tickets SET attempts = attempts + 1 WHERE id = ? RETURNING attempts',
    ).get(id) as Row | undefined;
    return (r?.attempts as number | undefined) ?? 0;
  }

  async spendTicket(id: string, now: number): Promise<boolean> {
    return (
      this.#sql(
        'UPDATE enrollment_tickets SET used_at = ?, pending_totp = NULL WHERE id = ? AND used_at IS NULL',
      ).run(now, id).changes > 0
    );
  }

  async purgeExpired(now: number): Promise<number> {
    return this.#db.transaction(() => {
      let n = this.#sql('DELETE FROM challenge_bindings WHERE expires_at < ?').run(now).changes;
      n += this.#sql('DELETE FROM sent_codes WHERE expires_at < ?').run(now).changes;
      n += this.#sql('DELETE FROM rate_limits WHERE expires_at < ?').run(now).changes;
      n += this.#sql('DELETE FROM enrollment_tickets WHERE expires_at < ?').run(now).changes;
      return n;
    })();
  }
}
