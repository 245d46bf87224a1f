/**
 * Three real `stepgate serve` processes on one PostgreSQL + Redis (issue 16): every guarantee of
 * the embedded store holds across replicas. Needs PostgreSQL and Redis (STEPGATE_TEST_PG_URL,
 * STEPGATE_TEST_REDIS_URL); fails, never skips, when they do not answer.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgRedisTestEnv, type PgRedisTestEnv } from '../src/stores/postgres/pg-redis-test-env.js';
import { RedisChallengeStore } from '../src/stores/redis/redis-challenge-store.js';
import { bundleForNode } from './bundle.js';
import { BIG, CHALLENGE_POLICY, totpCode } from './challenge-helpers.js';
import { freshDir } from './helpers.js';
import {
  caller,
  eventually,
  type Replica,
  startReplica,
  stepgate,
  writeReplicaConfig,
} from './pg-replicas-helpers.js';

const browser = async (url: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: answers are JSON checked by each assertion
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
};

const START_PER_USER = 10;

describe('three stepgate serve replicas on one PostgreSQL + Redis', () => {
  let env: PgRedisTestEnv;
  let cli: string;
  let dir: string;
  let target: { url: string; prefix: string };
  let replicas: Replica[] = [];
  let call: ReturnType<typeof caller>;
  let urls: string[];

  beforeAll(async () => {
    env = await openPgRedisTestEnv();
    cli = await bundleForNode('src/cli/main.ts', 'stepgate-cli-replicas');
    dir = freshDir();
    target = await env.freshTarget();
    writeReplicaConfig(
      dir,
      { url: target.url, redis: env.redisUrl, prefix: target.prefix },
      CHALLENGE_POLICY,
      {
        challenges: {
          lockout: { user: 100, authenticator: 100, backoff: { after: 100 } },
          rateLimits: {
            startPerUser: START_PER_USER,
            startPerIp: 100_000,
            verifyPerIp: 100_000,
            verifyPerUser: 100_000,
          },
        },
        console: { enabled: true },
      },
    );
    await stepgate(cli, dir, ['migrate']);
    const { stdout } = await stepgate(cli, dir, ['apikey', 'create']);
    call = caller(stdout.trim());
    replicas = await Promise.all([0, 1, 2].map(() => startReplica(cli, dir)));
    urls = replicas.map((r) => r.url);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await env?.close();
  });

  /** Enrolls a TOTP factor on replica 0; returns its secret and the step its confirmation used. */
  async function enrollTotp(userId: string): Promise<{ secret: string; step: number }> {
    const ticket = await call(urls[0]!, 'POST', '/v1/enrollments', {
      userId,
      subject: { id: userId, sessionId: `s-${userId}`, acr: 'aal1' },
      method: 'totp',
    });
    expect(ticket.status).toBe(200);
    const { body } = await browser(urls[1]!, 'POST', `/v1/enrollments/${ticket.body.ticket}/totp`, {});
    const at = Date.now();
    const confirm = await browser(urls[2]!, 'POST', `/v1/enrollments/${ticket.body.ticket}/totp/confirm`, {
      code: totpCode(body.secret, at),
      label: 'phone',
    });
    expect(confirm.status).toBe(200);
    return { secret: body.secret, step: Math.floor(at / 30_000) };
  }

  /** A step-up challenge for a big transfer, opened on replica `i`. */
  async function challenge(userId: string, i = 0): Promise<string> {
    const res = await call(urls[i % 3]!, 'POST', '/v1/decisions', {
      subject: { id: userId, sessionId: `s-${userId}`, acr: 'aal1' },
      action: { name: 'payments.transfer' },
      transaction: BIG,
    });
    expect(res.body.decision).toBe('step_up');
    return res.body.challenge.id;
  }

  it('S6, S17: one TOTP code sent 50 times in parallel across the three verifies once; its single-use token allows once', async () => {
    const { secret, step } = await enrollTotp('tom');
    const id = await challenge('tom');
    const code = totpCode(secret, (step + 1) * 30_000);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        browser(urls[i % 3]!, 'POST', `/v1/challenges/${id}/verify`, { method: 'totp', code }),
      ),
    );
    const ok = answers.filter((a) => a.status === 200);
    expect(ok).toHaveLength(1);
    expect(answers.every((a) => a.status < 500)).toBe(true);
    const body = {
      subject: { id: 'tom', sessionId: 's-tom', acr: 'aal1' },
      action: { name: 'payments.transfer' },
      transaction: BIG,
      stepUpToken: ok[0]!.body.token,
    };
    const uses = await Promise.all(
      Array.from({ length: 24 }, (_, i) => call(urls[i % 3]!, 'POST', '/v1/decisions', body)),
    );
    expect(uses.every((u) => u.status === 200)).toBe(true);
    expect(uses.filter((u) => u.body.decision === 'allow')).toHaveLength(1);
  });

  it('S7: 100 concurrent wrong codes spread over the three are counted exactly 100 times', async () => {
    const { secret, step } = await enrollTotp('wanda');
    // 20 challenges take 5 attempts each (challenges.maxFailures).
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => challenge('wanda', i)));
    const wrong = totpCode(secret, (step + 40) * 30_000);
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        browser(urls[i % 3]!, 'POST', `/v1/challenges/${ids[i % 20]}/verify`, {
          method: 'totp',
          code: wrong,
        }),
      ),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(0);
    expect(answers.every((a) => a.status < 500)).toBe(true);
    const redis = new Redis(env.redisUrl);
    try {
      const counters = await new RedisChallengeStore(redis, target.prefix).readCounters(['user:wanda']);
      expect(counters['user:wanda']!.failures).toBe(100);
    } finally {
      redis.disconnect();
    }
    for (const id of ids) {
      const view = await browser(urls[0]!, 'GET', `/v1/challenges/${id}`);
      expect(view.body).toMatchObject({ status: 'failed', attemptsLeft: 0 });
    }
  });

  it('S7: the per-user rate limit holds across replicas', async () => {
    await enrollTotp('rita');
    const id = await challenge('rita');
    // One fixed window: not within 5 s of its end.
    while (Date.now() % 60_000 > 55_000) await new Promise((r) => setTimeout(r, 500));
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        browser(urls[i % 3]!, 'POST', `/v1/challenges/${id}/start`, { method: 'totp' }),
      ),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(START_PER_USER);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(30 - START_PER_USER);
  });

  it('a console sign-in on one replica works on every replica; a sign-out on one ends it on all', async () => {
    const { stdout } = await stepgate(cli, dir, ['apikey', 'create', '--admin']);
    const signIn = await fetch(`${urls[0]}/console/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stepgate-console': '1' },
      body: JSON.stringify({ key: stdout.trim() }),
    });
    expect(signIn.status).toBe(204);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const audit = (url: string) => fetch(`${url}/console/api/audit?limit=1`, { headers: { cookie } });
    for (const url of urls) expect((await audit(url)).status).toBe(200);
    const signOut = await fetch(`${urls[2]}/console/session`, {
      method: 'DELETE',
      headers: { cookie, 'stepgate-console': '1' },
    });
    expect(signOut.status).toBe(204);
    for (const url of urls) expect((await audit(url)).status).toBe(401);
  });

  it('a policy file change reaches every replica', async () => {
    const before = await Promise.all(urls.map((u) => browser(u, 'GET', '/readyz')));
    const version = before[0]!.body.policyVersion;
    expect(before.map((b) => b.body.policyVersion)).toEqual([version, version, version]);
    writeFileSync(
      join(dir, 'policies.yaml'),
      `${CHALLENGE_POLICY}\n# changed\n  \n`.replace('gt: 10000', 'gt: 9000'),
    );
    await eventually(async () => {
      const now = await Promise.all(urls.map((u) => browser(u, 'GET', '/readyz')));
      return now.every((n) => n.body.policyVersion !== version);
    });
    const after = await Promise.all(urls.map((u) => browser(u, 'GET', '/readyz')));
    expect(new Set(after.map((a) => a.body.policyVersion)).size).toBe(1);
  });

  it('S29: kill -9 of one replica under load loses no acknowledged audit record; audit verify passes', async () => {
    const acknowledged: string[] = [];
    let running = true;
    const load = async (url: string) => {
      while (running) {
        const res = await call(url, 'POST', '/v1/decisions', {
          subject: { id: 'kim' },
          action: { name: 'payments.list' },
        }).catch(() => undefined);
        if (res?.status === 200) acknowledged.push(res.body.decisionId);
        if (!res) return;
      }
    };
    const loads = urls.flatMap((u) => [load(u), load(u), load(u), load(u)]);
    await new Promise((r) => setTimeout(r, 700));
    replicas[1]!.child.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 700));
    running = false;
    await Promise.all(loads);
    expect(acknowledged.length).toBeGreaterThan(10);
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    const r = await client.query(
      "SELECT event::json->>'decisionId' AS id FROM audit_log WHERE type = 'decision'",
    );
    await client.end();
    const stored = new Set(r.rows.map((row: { id: string }) => row.id));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    const verify = await stepgate(cli, dir, ['audit', 'verify']);
    expect(verify.stdout).toMatch(/audit log OK: \d+ records/);
    // The replica comes back on the same chain.
    replicas[1] = await startReplica(cli, dir);
    urls[1] = replicas[1].url;
    expect(
      (
        await call(urls[1], 'POST', '/v1/decisions', {
          subject: { id: 'kim' },
          action: { name: 'payments.list' },
        })
      ).status,
    ).toBe(200);
  });
});
