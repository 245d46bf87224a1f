import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { bundleForNode } from './bundle.js';
import { freshDir } from './helpers.js';

describe('shutdown', () => {
  it('close() runs to the end in a process with nothing else to do: exit code 0, store closed cleanly', async () => {
    const dataDir = freshDir();
    const script = await bundleForNode('test/fixtures/close-at-top-level.ts', 'close-at-top-level');
    const child = spawn(process.execPath, [script, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    // Exit code 13 is Node's "unsettled top-level await": close() waited on something that could never happen.
    expect(code).toBe(0);
    expect(out).toBe('closed\n');
    // The decision answered before close() is in the store.
    const db = new Database(join(dataDir, 'stepgate.db'), { readonly: true });
    expect((db.prepare('SELECT COUNT(*) AS n FROM decisions').get() as { n: number }).n).toBe(1);
    db.close();
  }, 60_000);
});
