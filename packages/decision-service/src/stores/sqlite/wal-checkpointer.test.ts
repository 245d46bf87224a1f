import { randomBytes } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { FALLBACK_AUTOCHECKPOINT_PAGES, startWalCheckpointer } from './wal-checkpointer.js';

describe('startWalCheckpointer', () => {
  it('copies committed WAL pages into the database file from its own thread', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'stepgate-wal-')), 'db.sqlite');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x BLOB)');
    db.pragma('wal_checkpoint(TRUNCATE)');
    const before = statSync(file).size;
    const stop = startWalCheckpointer(db, file, 20);
    // The main connection no longer checkpoints at 1000 pages: only past the fallback.
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(FALLBACK_AUTOCHECKPOINT_PAGES);
    const insert = db.prepare('INSERT INTO t (x) VALUES (?)');
    for (let i = 0; i < 100; i++) insert.run(randomBytes(1000));
    // 100 KB of rows reach the database file although this connection never checkpointed.
    await vi.waitFor(() => expect(statSync(file).size).toBeGreaterThan(before + 90_000), { timeout: 5000 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 100 });
    await stop();
    db.close();
  });

  it('does nothing for an in-memory database', async () => {
    const db = new Database(':memory:');
    const stop = startWalCheckpointer(db, ':memory:');
    await stop();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    db.close();
  });
});
