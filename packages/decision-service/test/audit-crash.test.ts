import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditReader } from '../src/audit/audit-reader.js';
import { verifyAuditLog } from '../src/audit/audit-verify.js';
import { bundleForNode } from './bundle.js';
import { freshDir, TEST_POLICY } from './helpers.js';

describe('S29: kill -9 under load', () => {
  it('S29: loses no acknowledged audit record, and the chain still verifies', async () => {
    const dataDir = freshDir();
    const script = await bundleForNode('test/fixtures/child-service.ts', 'audit-crash-child');
    const child = spawn(process.execPath, [script, dataDir, TEST_POLICY], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    const { url, apiKey } = JSON.parse(line.toString().split('\n')[0]!) as { url: string; apiKey: string };
    const acknowledged: string[] = [];
    let killed = false;
    const worker = async (w: number) => {
      for (let i = 0; !killed; i++) {
        try {
          const res = await fetch(`${url}/v1/decisions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
            body: JSON.stringify({
              subject: { id: `user-${w}-${i % 5}` },
              action: { name: i % 3 === 0 ? 'payments.transfer' : 'reports.view' },
              transaction: { amount: (i * 37) % 3000 },
            }),
          });
          const body = (await res.json()) as { decisionId?: string };
          if (res.status === 200 && body.decisionId) acknowledged.push(body.decisionId);
        } catch {
          return; // the process is gone
        }
      }
    };
    const load = Array.from({ length: 24 }, (_, w) => worker(w));
    // Kill once a few hundred decisions were answered, while many are in flight.
    while (acknowledged.length < 300) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    killed = true;
    await once(child, 'exit');
    await Promise.all(load);
    const reader = AuditReader.openFile(join(dataDir, 'audit.db'));
    try {
      const stored = new Set<string>();
      for (const row of reader.rows()) {
        const event = JSON.parse(row.event) as { decisionId?: string };
        if (event.decisionId) stored.add(event.decisionId);
      }
      const lost = acknowledged.filter((id) => !stored.has(id));
      expect(acknowledged.length).toBeGreaterThanOrEqual(300);
      expect(lost).toEqual([]);
      expect(verifyAuditLog(reader.rows()).ok).toBe(true);
    } finally {
      reader.close();
    }
  }, 60_000);
});
