/**
 * A replica on PostgreSQL + Redis when one of them goes away (issue 16): a private Redis it can
 * kill and restart, and PostgreSQL behind a TCP proxy it can cut — never the shared servers.
 * Requests fail closed (503, never an allow) and the replica recovers on its own.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgRedisTestEnv, type PgRedisTestEnv } from '../src/stores/postgres/pg-redis-test-env.js';
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

async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  s.close();
  await once(s, 'close');
  return port;
}

/** A private redis-server on `port` (no persistence). */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  await eventually(async () => out.includes('Ready to accept connections'), 10_000);
  return child;
}

/** A TCP proxy to PostgreSQL that can be cut (every connection dropped, the port closed). */
class PgProxy {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  constructor(
    readonly port: number,
    readonly target: { host: string; port: number },
  ) {}
  async open(): Promise<void> {
    this.#server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    this.#server.listen(this.port, '127.0.0.1');
    await once(this.#server, 'listening');
  }
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const s of this.#sockets) s.destroy();
    if (server) await new Promise((r) => server.close(r));
  }
}

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

describe('a replica when PostgreSQL or Redis goes away', () => {
  let env: PgRedisTestEnv;
  let redisPort: number;
  let redis: ChildProcess | undefined;
  let proxy: PgProxy;
  let replica: Replica | undefined;
  let call: ReturnType<typeof caller>;
  let url: string;

  beforeAll(async () => {
    env = await openPgRedisTestEnv();
    const cli = await bundleForNode('src/cli/main.ts', 'stepgate-cli-failures');
    const dir = freshDir();
    const target = await env.freshTarget();
    const pgUrl = new URL(target.url);
    proxy = new PgProxy(await freePort(), { host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
    await proxy.open();
    pgUrl.port = String(proxy.port);
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    writeReplicaConfig(
      dir,
      { url: pgUrl.toString(), redis: `redis://127.0.0.1:${redisPort}/0`, prefix: target.prefix },
      CHALLENGE_POLICY,
    );
    await stepgate(cli, dir, ['migrate']);
    const { stdout } = await stepgate(cli, dir, ['apikey', 'create']);
    call = caller(stdout.trim());
    replica = await startReplica(cli, dir);
    url = replica.url;
  }, 120_000);

  afterAll(async () => {
    await replica?.stop();
    redis?.kill('SIGKILL');
    await proxy?.cut();
    await env?.close();
  });

  const bigTransfer = (extra: Record<string, unknown> = {}) =>
    call(url, 'POST', '/v1/decisions', {
      subject: { id: 'ann', sessionId: 's-ann', acr: 'aal1' },
      action: { name: 'payments.transfer' },
      transaction: BIG,
      ...extra,
    });

  it('Redis restarted mid-run: 503 (never an allow) while it is away, then recovery', async () => {
    // A step-up token, verified while Redis answers, not yet used.
    const ticket = await call(url, 'POST', '/v1/enrollments', {
      userId: 'ann',
      subject: { id: 'ann', sessionId: 's-ann', acr: 'aal1' },
      method: 'totp',
    });
    const { body } = await browser(url, 'POST', `/v1/enrollments/${ticket.body.ticket}/totp`, {});
    const at = Date.now();
    const step = Math.floor(at / 30_000);
    expect(
      (
        await browser(url, 'POST', `/v1/enrollments/${ticket.body.ticket}/totp/confirm`, {
          code: totpCode(body.secret, at),
        })
      ).status,
    ).toBe(200);
    const opened = await bigTransfer();
    expect(opened.body.decision).toBe('step_up');
    const ok = await browser(url, 'POST', `/v1/challenges/${opened.body.challenge.id}/verify`, {
      method: 'totp',
      code: totpCode(body.secret, (step + 1) * 30_000),
    });
    expect(ok.status).toBe(200);

    redis!.kill('SIGKILL');
    await once(redis!, 'exit');
    const during = await Promise.all([
      bigTransfer({ stepUpToken: ok.body.token }),
      bigTransfer(),
      browser(url, 'GET', '/readyz'),
    ]);
    expect(during.map((d) => d.status)).toEqual([503, 503, 503]);
    expect(during[0]!.body.error.code).toBe('service_unavailable');

    redis = await startRedis(redisPort);
    await eventually(async () => (await browser(url, 'GET', '/readyz')).status === 200);
    const after = await bigTransfer({ stepUpToken: ok.body.token });
    expect(after.status).toBe(200);
    expect(after.body.decision).toBe('allow');
    expect((await bigTransfer({ stepUpToken: ok.body.token })).body.decision).toBe('step_up');
  });

  it('PostgreSQL unavailable: /readyz 503 and decisions fail closed, then recovery', async () => {
    expect((await browser(url, 'GET', '/readyz')).status).toBe(200);
    await proxy.cut();
    const during = await Promise.all([
      browser(url, 'GET', '/readyz'),
      call(url, 'POST', '/v1/decisions', { subject: { id: 'bob' }, action: { name: 'payments.list' } }),
      bigTransfer(),
    ]);
    expect(during.map((d) => d.status)).toEqual([503, 503, 503]);
    await proxy.open();
    await eventually(async () => (await browser(url, 'GET', '/readyz')).status === 200);
    const after = await call(url, 'POST', '/v1/decisions', {
      subject: { id: 'bob' },
      action: { name: 'payments.list' },
    });
    expect(after.status).toBe(200);
    expect(after.body.decision).toBe('allow');
  });
});
