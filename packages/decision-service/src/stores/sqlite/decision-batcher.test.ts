import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DecisionEffects } from '../store.js';
import { SqliteStore } from './sqlite-store.js';

const effects = (id: string, userId: string): DecisionEffects => ({
  decision: {
    id,
    at: 1_700_000_000_000,
    userId,
    action: 'a.b',
    decision: 'allow',
    apiKeyId: 'key_1',
    policyVersion: 'v1',
  },
  userId,
  action: 'a.b',
  at: 1_700_000_000_000,
  deviceKnown: false,
  fingerprintSeen: false,
});

describe('recordDecision group commit', () => {
  it('concurrent decisions (one batch) each resolve once readable, and one bad record fails alone', async () => {
    const store = new SqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'stepgate-batch-')), 's.db') });
    await store.migrate();
    await store.recordDecision(effects('dec_dup', 'u0'));
    const results = await Promise.allSettled([
      ...Array.from({ length: 20 }, (_, i) => store.recordDecision(effects(`dec_${i}`, `u${i % 3}`))),
      store.recordDecision(effects('dec_dup', 'u0')), // duplicate primary key
    ]);
    expect(results.slice(0, 20).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(results[20]?.status).toBe('rejected');
    for (let i = 0; i < 20; i++) expect((await store.getDecision(`dec_${i}`))?.userId).toBe(`u${i % 3}`);
    const state = await store.loadUserState({ userId: 'u0', windowStart: 0 });
    expect(state.actionCounts).toEqual({ 'a.b': 8 }); // 7 of the 20 plus the first; the duplicate wrote nothing
    await store.close();
  });

  it('close() writes what is still queued', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'stepgate-batch-')), 's.db');
    const store = new SqliteStore({ file });
    await store.migrate();
    const pending = store.recordDecision(effects('dec_late', 'u1'));
    await store.close();
    await pending;
    const reopened = new SqliteStore({ file });
    expect((await reopened.getDecision('dec_late'))?.id).toBe('dec_late');
    await reopened.close();
  });
});
