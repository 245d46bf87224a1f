import type { Level, Method } from '@stepgate/protocol';
import type Database from 'better-sqlite3';
import {
  type AttemptCounter,
  type AttemptRequest,
  type AttemptReservation,
  backoffWait,
  type ChallengeBinding,
  type ChallengeStore,
  type CompleteOutcome,
  type CounterRule,
  type EnrollmentTicketRecord,
  type SendSlotClaim,
  type SentCodeRecord,
} from '../challenge-store.js';
import type { ChallengeRecord } from '../store.js';
import {
  CHALLENGE_MIGRATION,
  SEND_SLOT_MIGRATION,
  TICKET_PROVEN_LEVEL_MIGRATION,
} from './challenge-migration.js';
import { type DurableWriter, eachDurably } from './durable.js';
import { challengeFromRow, type Row, withOptional } from './rows.js';
import { statementCache } from './statements.js';

/** How long past its expiry a verified challenge is kept (its Redis key's TTL, redis-challenge-store.ts). */
const VERIFIED_KEPT_MS = 86_400_000;

/** @internal Writes a challenge row; shared with the decision batch, which stores it with its decision. */
export function insertChallengeRow(sql: (text: string) => Database.Statement, r: ChallengeRecord): void {
  sql(
    `INSERT INTO challenges (id, user_id, session_id, action, digest, txn, requirement, methods, decision_id,
     audience, created_at, expires_at, status, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    r.id,
    r.userId,
    r.sessionId ?? null,
    r.action,
    r.digest,
    r.transaction ?? null,
    r.requirement,
    JSON.stringify(r.methods),
    r.decisionId,
    r.audience,
    r.createdAt,
    r.expiresAt,
    r.status,
    r.attempts,
  );
}

/** Writes a challenge's binding; shared with the decision batch, which stores it with its decision. */
/** @internal */
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
 * Each atomic step is one `BEGIN IMMEDIATE` transaction (or a savepoint of one), or one
 * statement, so it holds across processes sharing the file. The writes that must survive a power
 * loss (a counted attempt, an accepted TOTP step) go through `durably`: `openSqliteStores` passes
 * the main store's group commit ({@link SqliteStore.durably}); alone, each is fsynced on its own.
 *
 * @example
 * const challenges = new SqliteChallengeStore(sqliteStore.db, (work) => sqliteStore.durably(work));
 * await challenges.migrate();
 */
export class SqliteChallengeStore implements ChallengeStore {
  readonly #db: Database.Database;
  readonly #sql: (text: string) => Database.Statement;
  readonly #durably: DurableWriter;

  /** @internal Made by {@link SqliteStore}. */
  constructor(db: Database.Database, durably: DurableWriter = eachDurably(db)) {
    this.#db = db;
    this.#sql = statementCache(db);
    this.#durably = durably;
  }

  async migrate(): Promise<void> {
    // Idempotent on a file the numbered migrations already brought up to date.
    this.#db.exec(CHALLENGE_MIGRATION);
    const columns = this.#db.pragma('table_info(enrollment_tickets)') as Array<{ name: string }>;
    if (!columns.some((c) => c.name === 'proven_level')) this.#db.exec(TICKET_PROVEN_LEVEL_MIGRATION);
    this.#db.exec(SEND_SLOT_MIGRATION);
  }

  async insertChallenge(r: ChallengeRecord): Promise<void> {
    insertChallengeRow(this.#sql, r);
  }

  async getChallenge(id: string): Promise<ChallengeRecord | undefined> {
    const row = this.#sql('SELECT * FROM challenges WHERE id = ?').get(id) as Row | undefined;
    return row && challengeFromRow(row);
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

  async claimSendSlot(challengeId: string, now: number, cooldownMs: number): Promise<SendSlotClaim> {
    return this.#db
      .transaction((): SendSlotClaim => {
        const claimed = this.#sql(
          `INSERT INTO send_slots (challenge_id, claimed_at, expires_at) VALUES (?, ?, ?)
           ON CONFLICT (challenge_id) DO UPDATE SET claimed_at = excluded.claimed_at, expires_at = excluded.expires_at
           WHERE send_slots.claimed_at + ? <= excluded.claimed_at
           RETURNING claimed_at`,
        ).get(challengeId, now, now + cooldownMs, cooldownMs);
        if (claimed) return { claimed: true };
        const r = this.#sql('SELECT claimed_at FROM send_slots WHERE challenge_id = ?').get(
          challengeId,
        ) as Row;
        return { claimed: false, retryAfterMs: (r.claimed_at as number) + cooldownMs - now };
      })
      .immediate();
  }

  async releaseSendSlot(challengeId: string, claimedAt: number): Promise<void> {
    this.#sql('DELETE FROM send_slots WHERE challenge_id = ? AND claimed_at = ?').run(challengeId, claimedAt);
  }

  async reserveAttempt(r: AttemptRequest): Promise<AttemptReservation | undefined> {
    // Durable before the code is compared: a count lost to a power failure would give a guess back (S7).
    return this.#durably((): AttemptReservation | undefined => {
      const row = this.#sql(
        `UPDATE challenges SET attempts = attempts + 1
             WHERE id = ? AND status = 'pending' AND expires_at > ? AND attempts < ? RETURNING attempts`,
      ).get(r.challengeId, r.now, r.maxFailures) as Row | undefined;
      if (!row) return undefined;
      const read = this.#sql('SELECT failures, last_failure_at FROM attempt_counters WHERE key = ?');
      const failures: Record<string, number> = {};
      const refused: AttemptReservation['refused'] = {};
      const judge = (rule: CounterRule): boolean => {
        const c = read.get(rule.key) as Row | undefined;
        const f = (c?.failures as number | undefined) ?? 0;
        failures[rule.key] = f;
        if (rule.lockAt !== undefined && f >= rule.lockAt) {
          refused[rule.key] = { state: 'locked' };
          return false;
        }
        const wait = backoffWait(f, rule.freeFailures, r.backoff);
        const until = ((c?.last_failure_at as number | null | undefined) ?? 0) + wait;
        // No wait is no wait: a failure stamped by a request that started later (another
        // process's clock) must not refuse this one.
        if (wait > 0 && r.now < until) {
          refused[rule.key] = { state: 'waiting', until };
          return false;
        }
        return true;
      };
      const userOpen = judge(r.user);
      const open = r.authenticators.filter(judge);
      const admitted = userOpen && open.length > 0;
      const counted = admitted ? open.map((a) => a.key) : [];
      if (admitted) {
        const count = this.#sql(
          `INSERT INTO attempt_counters (key, failures, last_failure_at) VALUES (?, 1, ?)
               ON CONFLICT (key) DO UPDATE SET failures = failures + 1, last_failure_at = excluded.last_failure_at
               RETURNING failures`,
        );
        for (const key of [r.user.key, ...counted])
          failures[key] = (count.get(key, r.now) as Row).failures as number;
      }
      return { attempts: row.attempts as number, admitted, counted, refused, failures };
    });
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
    return this.#durably((): CompleteOutcome => {
      const pending = this.#sql(
        "SELECT 1 FROM challenges WHERE id = ? AND status = 'pending' AND expires_at > ?",
      ).get(challengeId, now);
      if (!pending) return 'not_pending';
      if (totp && !this.#advance(totp.factorId, totp.step)) return 'replay';
      this.#sql("UPDATE challenges SET status = 'verified' WHERE id = ?").run(challengeId);
      this.#sql('DELETE FROM sent_codes WHERE challenge_id = ?').run(challengeId);
      return 'ok';
    });
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

  async resetCounters(keys: string[]): Promise<Record<string, AttemptCounter>> {
    const del = this.#sql('DELETE FROM attempt_counters WHERE key = ? RETURNING failures, last_failure_at');
    return this.#db
      .transaction(() => {
        const before: Record<string, AttemptCounter> = {};
        for (const key of keys) {
          const r = del.get(key) as Row | undefined;
          if (r)
            before[key] = withOptional(
              { failures: r.failures as number },
              { lastFailureAt: r.last_failure_at },
            );
        }
        return before;
      })
      .immediate();
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
    return this.#durably(() => this.#advance(factorId, step));
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
      // A verified challenge stays a day past its expiry (as its Redis key's TTL), for its status page.
      let n = this.#sql(
        "DELETE FROM challenges WHERE expires_at < ? AND (status <> 'verified' OR expires_at < ?)",
      ).run(now, now - VERIFIED_KEPT_MS).changes;
      n += this.#sql('DELETE FROM challenge_bindings WHERE expires_at < ?').run(now).changes;
      n += this.#sql('DELETE FROM sent_codes WHERE expires_at < ?').run(now).changes;
      n += this.#sql('DELETE FROM send_slots WHERE expires_at < ?').run(now).changes;
      n += this.#sql('DELETE FROM rate_limits WHERE expires_at < ?').run(now).changes;
      n += this.#sql('DELETE FROM enrollment_tickets WHERE expires_at < ?').run(now).changes;
      return n;
    })();
  }
}
