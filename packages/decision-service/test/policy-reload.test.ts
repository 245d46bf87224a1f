import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDecisionService } from '../src/index.js';
import { client, freshDir, start } from './helpers.js';

const policy = (effect: 'allow' | 'deny') => `
policies:
  - id: toggled
    when: { action: reports.export }
    effect: ${effect}
default: allow
`;

const until = async (check: () => boolean, timeoutMs = 15_000) => {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('policy reload', () => {
  it('reloads on file change under load without dropping or failing a request; a broken file keeps the old policies', async () => {
    const dir = freshDir();
    const file = join(dir, 'policies.yaml');
    writeFileSync(file, policy('deny'));
    const svc = await start({ dataDir: dir, policies: file });
    const call = client(svc);
    const versions = new Set<string>([svc.policyVersion()]);
    let stop = false;
    const results: Array<{ status: number; decision: string; version: string }> = [];
    const worker = async () => {
      while (!stop) {
        const res = await call('POST', '/v1/decisions', {
          subject: { id: 'w' },
          action: { name: 'reports.export' },
        });
        results.push({ status: res.status, decision: res.body.decision, version: res.body.policyVersion });
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    for (const effect of ['allow', 'deny', 'allow'] as const) {
      const before = svc.policyVersion();
      writeFileSync(file, policy(effect));
      await until(() => svc.policyVersion() !== before);
      versions.add(svc.policyVersion());
      await new Promise((r) => setTimeout(r, 100));
    }
    const good = svc.policyVersion();
    writeFileSync(file, 'policies: [ { id: broken, effect: explode } ]\n');
    await new Promise((r) => setTimeout(r, 500));
    expect(svc.policyVersion()).toBe(good);
    stop = true;
    await Promise.all(workers);
    expect(results.length).toBeGreaterThan(20);
    expect(results.every((r) => r.status === 200)).toBe(true);
    // Every answer is consistent with exactly one version: no mixed state.
    const byVersion = new Map<string, Set<string>>();
    for (const r of results)
      byVersion.set(r.version, (byVersion.get(r.version) ?? new Set()).add(r.decision));
    for (const [version, decisions] of byVersion) {
      expect(versions.has(version)).toBe(true);
      expect(decisions.size).toBe(1);
    }
    expect(byVersion.size).toBeGreaterThanOrEqual(2);
    await svc.close();
  }, 60_000);

  it('reloads on SIGHUP when asked to handle signals', async () => {
    const dir = freshDir();
    const file = join(dir, 'policies.yaml');
    writeFileSync(file, policy('deny'));
    const svc = await start({ dataDir: dir, policies: file, watchPolicies: false, handleSignals: true });
    const before = svc.policyVersion();
    writeFileSync(file, policy('allow'));
    await new Promise((r) => setTimeout(r, 300));
    expect(svc.policyVersion()).toBe(before); // not watching
    process.kill(process.pid, 'SIGHUP');
    await until(() => svc.policyVersion() !== before);
    await svc.close();
  });

  it('S22: refuses to start without any policy (no implicit default)', async () => {
    await expect(startDecisionService({ port: 0 })).rejects.toThrow(/\/policies: no policies configured/);
  });

  it('fails to start with a located error for an invalid policy file', async () => {
    const dir = freshDir();
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'policies:\n  - id: x\n    effect: explode\ndefault: allow\n');
    await expect(start({ dataDir: dir, policies: file })).rejects.toThrow(/bad\.yaml:3:\d+/);
  });
});
