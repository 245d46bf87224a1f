import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { portFrom } from '../src/server/main.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'acme-cli-'));
const children: ChildProcess[] = [];
afterAll(() => {
  // A failed assertion must not leave a demo running.
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs `node tools/demo.mjs` (what `pnpm demo` runs) until it prints its URL. */
function run(
  args: string[] = [],
  port = 0,
): Promise<{ child: ChildProcess; url: string; out: () => string }> {
  const child = spawn(process.execPath, ['tools/demo.mjs', ...args], {
    cwd: root,
    env: { ...process.env, PORT: String(port), STEPGATE_DEMO_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    const timer = setInterval(() => {
      const url = /http:\/\/localhost:\d+/.exec(out)?.[0];
      if (url) {
        clearInterval(timer);
        child.removeAllListeners('exit');
        resolve({ child, url, out: () => out });
      }
    }, 50);
  });
}

const stop = (child: ChildProcess, signal: NodeJS.Signals) =>
  new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.kill(signal);
  });

describe('pnpm demo (tools/demo.mjs)', () => {
  it('parses PORT', () => {
    expect(portFrom(undefined)).toBe(3000);
    expect(portFrom('0')).toBe(0);
    expect(portFrom('4000')).toBe(4000);
    for (const bad of ['-1', '70000', '3e3', 'abc', '80 ']) expect(() => portFrom(bad)).toThrow(/PORT/);
  });

  it('starts from sources, prints a localhost URL, stops cleanly on SIGINT; a second run reuses the data; --reset starts over', async () => {
    const first = await run();
    const login = await fetch(`${first.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'bob' }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const sent = await fetch(`${first.url}/api/transfers`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 20, payee: 'Kiosque' }),
    });
    expect(sent.status, first.out()).toBe(200);
    // The banner names the operator console (issue 17), which the demo's service serves.
    const consoleUrl = /Operator console: (\S+)\s+admin key: sgk_/.exec(first.out())?.[1];
    expect(consoleUrl, first.out()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/console$/);
    expect((await fetch(consoleUrl!)).status).toBe(200);
    const audit = await (await fetch(`${first.url}/api/demo/audit`, { headers: { cookie } })).json();
    expect(audit.consoleUrl).toBe(consoleUrl);
    expect(await stop(first.child, 'SIGINT'), first.out()).toBe(0);
    expect(first.out()).toContain('SIGINT: stopping');

    const ledger = () => JSON.parse(readFileSync(join(dataDir, 'bank.json'), 'utf8')).transfers.length;
    const second = await run();
    expect(ledger(), second.out()).toBe(1);
    expect(await stop(second.child, 'SIGTERM'), second.out()).toBe(0);

    const third = await run(['--reset']);
    expect(third.out()).toContain('(reset)');
    expect(ledger()).toBe(0);
    expect(existsSync(join(dataDir, 'stepgate.db'))).toBe(true);
    expect(await stop(third.child, 'SIGINT'), third.out()).toBe(0);
  }, 120_000);

  it('a SIGINT while it is still starting stops it cleanly once started (handlers come first)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'acme-cli-early-'));
    const child = spawn(process.execPath, ['tools/demo.mjs'], {
      cwd: root,
      env: { ...process.env, PORT: '0', STEPGATE_DEMO_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (out += d));
    try {
      // The store's file appears while the demo starts, before it prints where it listens.
      while (!existsSync(join(dir, 'stepgate.db'))) await new Promise((r) => setTimeout(r, 5));
      const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
        child.on('exit', (code, signal) => resolve([code, signal])),
      );
      child.kill('SIGINT');
      expect(await exited, out).toEqual([0, null]);
      expect(out).toContain('SIGINT: stopping');
      expect(out).not.toContain('Open http');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('accepts connections only once it can answer them: no request made during start-up hangs', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    // One request every 25 ms from the moment the process starts. A refused connection is fine
    // (nothing listens yet); a connection that is accepted must get an answer.
    type Outcome = 'refused' | 'answered' | 'pending';
    const outcomes: Outcome[] = [];
    const probes: Promise<void>[] = [];
    const fire = () => {
      const i = outcomes.push('pending') - 1;
      probes.push(
        new Promise<void>((resolve) => {
          const req = request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
            res.resume();
            res.on('end', () => {
              outcomes[i] = 'answered';
              resolve();
            });
          });
          req.on('error', (error: NodeJS.ErrnoException) => {
            outcomes[i] = error.code === 'ECONNREFUSED' ? 'refused' : outcomes[i]!;
            resolve();
          });
          req.end();
        }),
      );
    };
    const started = run([], port);
    const timer = setInterval(fire, 25);
    const demo = await started.finally(() => clearInterval(timer));
    for (let k = 0; k < 5; k++) fire();
    // Every accepted request of the start-up is answered once the demo is up (a hung one would
    // stay pending until the process stops, and is caught here).
    await Promise.race([Promise.all(probes), new Promise((r) => setTimeout(r, 15_000))]);
    expect(
      outcomes.filter((o) => o === 'pending'),
      demo.out(),
    ).toEqual([]);
    expect(outcomes.filter((o) => o === 'answered').length).toBeGreaterThanOrEqual(5);
    expect(demo.out()).toContain('First step of the tour');
    expect(await stop(demo.child, 'SIGINT'), demo.out()).toBe(0);
  }, 120_000);
});
