import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import { StepgateError } from '@stepgate/protocol';
import Database from 'better-sqlite3';
import type { AuditInput, AuditSink } from './audit-event.js';
import type { AuditAnalytics } from './audit-port.js';
import { AuditReader } from './audit-reader.js';
import { storedRecord } from './audit-record.js';
import { migrateAuditDb } from './audit-schema.js';
import { sqliteAuditAnalytics } from './sqlite-analytics.js';
import {
  WRITER_SOURCE,
  type WriterItem,
  type WriterReply,
  type WriterRequest,
  type WriterSettings,
} from './writer-worker.js';

/** Options of {@link AuditLog.open}. */
export interface AuditLogOptions {
  /** Path of `audit.db`. */
  file: string;
  /**
   * How long the first append of a batch waits for company, ms. `0` batches everything queued in
   * the same event-loop turn, plus everything that arrives while a commit is in flight.
   * @defaultValue 0
   */
  batchWindowMs?: number;
  /** Most records in one transaction. @defaultValue 1000 */
  maxBatch?: number;
  /**
   * Most appends waiting for the writer; beyond it an append fails at once (fail closed) instead
   * of piling up in memory behind a stalled disk. @defaultValue 20000
   */
  maxQueue?: number;
  /** `full` fsyncs every commit (power-loss safe); `normal` survives process crashes only. @defaultValue 'full' */
  synchronous?: 'full' | 'normal';
  /**
   * How long decisions' replay inputs are kept (`audit_replay`), seconds; older ones are deleted
   * by the writer (at most once a minute). The records themselves are never deleted.
   * @defaultValue 7776000 (90 days)
   */
  replayRetention?: number;
  /** Unix ms. @defaultValue Date.now */
  now?: () => number;
  /** Called after each durable batch (metrics). */
  onBatch?: (size: number, seconds: number) => void;
  /** Called when a batch could not be written (metrics, alerting). */
  onFailure?: (error: Error) => void;
}

interface Pending {
  item: WriterItem;
  resolve: (seq: number) => void;
  reject: (error: Error) => void;
}

const unavailable = (cause: unknown) =>
  new StepgateError('service_unavailable', 'the audit log cannot be written', { cause });

/**
 * The append-only, hash-chained audit log (docs/security-model.md S27–S29) in its own SQLite file, written
 * by one worker thread with group commit: appends queue up while a commit is in flight and go
 * together in one transaction; each append resolves only once its batch is durable.
 *
 * @example
 * const log = await AuditLog.open({ file: 'data/audit.db' });
 * await log.append({ type: 'factor.added', who: { userId: 'u1' }, what: { method: 'totp' }, factorId: 'fac_1' });
 * await log.close();
 */
export class AuditLog implements AuditSink {
  readonly reader: AuditReader;
  /** Backtests and the console's overview. */
  readonly analytics: AuditAnalytics;
  readonly #options: AuditLogOptions;
  readonly #now: () => number;
  #worker: Worker | undefined;
  #queue: Pending[] = [];
  #inFlight: { id: number; batch: Pending[]; started: number } | undefined;
  #scheduled = false;
  #nextId = 1;
  #healthy = true;
  #closing: Promise<void> | undefined;
  readonly #probes = new Map<number, (ok: boolean) => void>();

  private constructor(options: AuditLogOptions, reader: AuditReader) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.reader = reader;
    this.analytics = sqliteAuditAnalytics(reader, options.file);
  }

  /** Creates or opens the log and starts its writer thread. */
  static async open(options: AuditLogOptions): Promise<AuditLog> {
    mkdirSync(dirname(options.file), { recursive: true });
    const db = new Database(options.file);
    migrateAuditDb(db);
    const log = new AuditLog(options, new AuditReader(db));
    await log.#spawn();
    return log;
  }

  /** False after a failed write, until a batch is written again. */
  get healthy(): boolean {
    return this.#healthy;
  }

  /** Appends an event; resolves when it is durable. @throws StepgateError `service_unavailable` */
  async append(event: AuditInput): Promise<void> {
    await this.appendRecord(event);
  }

  /** Like {@link AuditLog.append}, resolving with the record's `seq`. */
  appendRecord(event: AuditInput): Promise<number> {
    if (this.#closing) return Promise.reject(unavailable(new Error('the audit log is closed')));
    if (this.#queue.length >= (this.#options.maxQueue ?? 20_000)) {
      const error = unavailable(new Error('the audit writer is too far behind'));
      this.#options.onFailure?.(error);
      return Promise.reject(error);
    }
    let item: WriterItem;
    try {
      item = storedRecord(event, this.#now());
    } catch (error) {
      return Promise.reject(unavailable(error));
    }
    return new Promise<number>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  /**
   * Checks that the writer can write (a rolled-back insert), restarting it if it died; a success
   * makes the log healthy again. Used by `/readyz` while the log is unhealthy, so an instance
   * taken out of rotation can come back without traffic.
   */
  async probe(): Promise<boolean> {
    if (this.#closing) return false;
    try {
      if (!this.#worker) await this.#spawn();
    } catch {
      return false;
    }
    const id = this.#nextId++;
    const ok = await new Promise<boolean>((resolve) => {
      this.#probes.set(id, resolve);
      this.#worker!.postMessage({ kind: 'probe', id } satisfies WriterRequest);
    });
    if (ok) this.#healthy = true;
    return ok;
  }

  /** Writes what is queued, then stops the writer. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      while (this.#queue.length > 0 || this.#inFlight) {
        this.#flush();
        await new Promise((r) => setTimeout(r, 1));
      }
      const worker = this.#worker;
      this.#worker = undefined;
      if (worker) {
        const exited = new Promise((r) => worker.once('exit', r));
        worker.postMessage({ kind: 'close' } satisfies WriterRequest);
        await exited;
      }
      this.reader.close();
    })();
    return this.#closing;
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight) return;
    this.#scheduled = true;
    const run = () => {
      this.#scheduled = false;
      this.#flush();
    };
    const wait = this.#options.batchWindowMs ?? 0;
    if (wait > 0) setTimeout(run, wait);
    else setImmediate(run);
  }

  #flush(): void {
    if (this.#inFlight || this.#queue.length === 0) return;
    if (!this.#worker) {
      void this.#spawn().then(
        () => this.#flush(),
        (error: unknown) => this.#fail(this.#queue.splice(0), error),
      );
      return;
    }
    const batch = this.#queue.splice(0, this.#options.maxBatch ?? 1000);
    const id = this.#nextId++;
    this.#inFlight = { id, batch, started: performance.now() };
    this.#worker.postMessage({ id, items: batch.map((p) => p.item) } satisfies WriterRequest);
  }

  #onMessage(m: WriterReply): void {
    if ('probe' in m) {
      this.#probes.get(m.probe)?.(m.ok);
      this.#probes.delete(m.probe);
      return;
    }
    const flight = this.#inFlight;
    if (!flight || !('id' in m) || m.id !== flight.id) return;
    this.#inFlight = undefined;
    if (m.ok) {
      this.#healthy = true;
      this.#options.onBatch?.(flight.batch.length, (performance.now() - flight.started) / 1000);
      for (const [i, p] of flight.batch.entries()) p.resolve(m.first + i);
    } else {
      this.#fail(flight.batch, new Error(m.message));
    }
    this.#flush();
  }

  #fail(batch: Pending[], cause: unknown): void {
    this.#healthy = false;
    const error = unavailable(cause);
    this.#options.onFailure?.(error);
    for (const p of batch) p.reject(error);
  }

  #spawn(): Promise<void> {
    const worker = new Worker(WRITER_SOURCE, {
      eval: true,
      workerData: {
        file: this.#options.file,
        sqlitePath: createRequire(import.meta.url).resolve('better-sqlite3'),
        synchronous: this.#options.synchronous === 'normal' ? 'NORMAL' : 'FULL',
        replayRetentionMs: (this.#options.replayRetention ?? 90 * 86_400) * 1000,
      } satisfies WriterSettings,
    });
    return new Promise<void>((resolve, reject) => {
      worker.once('message', (m: WriterReply) => {
        if (!('kind' in m)) return reject(new Error('the audit writer did not start'));
        this.#worker = worker;
        worker.on('message', (msg: WriterReply) => this.#onMessage(msg));
        resolve();
      });
      worker.on('error', (error) => {
        reject(error);
        this.#lost(worker, error);
      });
      worker.on('exit', () => this.#lost(worker, new Error('the audit writer stopped')));
    });
  }

  /** The writer died: its batch fails (it may or may not be durable); the next flush starts a new one. */
  #lost(worker: Worker, error: Error): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    const flight = this.#inFlight;
    this.#inFlight = undefined;
    if (flight) this.#fail(flight.batch, error);
    for (const resolve of this.#probes.values()) resolve(false);
    this.#probes.clear();
    if (!this.#closing && this.#queue.length > 0) this.#flush();
  }
}
