import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { transactionDigest } from '@stepgate/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../src/index.js';
import { bundleForNode } from './bundle.js';
import { client, freshDir, start, TEST_POLICY } from './helpers.js';

describe('two service processes on one SQLite store', () => {
  const dataDir = freshDir();
  let a: RunningService;
  let child: ChildProcess;
  let b: { url: string; apiKey: string };

  beforeAll(async () => {
    a = await start({ dataDir });
    const script = await bundleForNode('test/fixtures/child-service.ts', 'child-service');
    child = spawn(process.execPath, [script, dataDir, TEST_POLICY], { stdio: ['pipe', 'pipe', 'inherit'] });
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    b = JSON.parse(line.toString().split('\n')[0]!);
  }, 60_000);
  afterAll(async () => {
    child.stdin?.end();
    await once(child, 'exit');
    await a.close();
  });

  it('S17: a single-use token is consumed exactly once across replicas', async () => {
    await client(a)('PUT', '/v1/users/zoe', { phone: '+33612345678' });
    const transaction = { amount: 9000, payee: 'X' };
    const digest = await transactionDigest({ action: 'payments.transfer', transaction });
    const { token } = a.tokens.mintStepUpToken({
      sub: 'zoe',
      aud: 'default',
      acr: 'urn:stepgate:aal2',
      amr: ['otp'],
      authTime: Math.floor(Date.now() / 1000),
      action: 'payments.transfer',
      digest,
    });
    const body = {
      subject: { id: 'zoe' },
      action: { name: 'payments.transfer' },
      transaction,
      stepUpToken: token,
    };
    const calls = Array.from({ length: 24 }, (_, i) =>
      client(i % 2 === 0 ? a : b)('POST', '/v1/decisions', body),
    );
    const results = await Promise.all(calls);
    expect(results.every((r) => r.status === 200)).toBe(true);
    const allowed = results.filter((r) => r.body.decision === 'allow');
    expect(allowed).toHaveLength(1);
    expect(results.filter((r) => r.body.decision === 'step_up')).toHaveLength(23);
  });

  it('the second process sees the first one’s users and keys', async () => {
    const jwksA = await client(a)('GET', '/.well-known/jwks.json');
    const jwksB = await client(b)('GET', '/.well-known/jwks.json');
    expect(jwksB.body).toEqual(jwksA.body);
  });
});
