import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createProgram } from '../src/cli/program.js';
import { bundleForNode } from './bundle.js';
import { freshDir } from './helpers.js';

const run = promisify(execFile);
/** The JSON `start` line of `stepgate serve`, with the URL it listens on. */
const LISTENING = /"event":"start","url":"([^"]+)"/;

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out, err };
}

async function stepgate(args: string[], cwd?: string) {
  const { io, out, err } = capture();
  const program = createProgram(io).exitOverride();
  const previous = process.cwd();
  if (cwd) process.chdir(cwd);
  try {
    await program.parseAsync(['node', 'stepgate', ...args]);
    return { out: out.join(''), err: err.join('') };
  } finally {
    process.chdir(previous);
  }
}

describe('stepgate CLI (command functions)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('init writes a config, policies, tests, data dir and a 0600 key file; refuses to overwrite', async () => {
    const dir = freshDir();
    await stepgate(['init', '--dir', dir]);
    expect(statSync(join(dir, 'stepgate.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'stepgate.yaml'), 'utf8')).toContain(
      '# Stepgate decision service configuration',
    );
    expect(statSync(join(dir, 'data')).isDirectory()).toBe(true);
    await expect(stepgate(['init', '--dir', dir])).rejects.toThrow(/refusing to overwrite/);
  });

  it('policy check and policy test work on what init wrote; admin.** covers admin.users.export (S22)', async () => {
    const dir = freshDir();
    await stepgate(['init', '--dir', dir, '--dev']);
    const check = await stepgate(['policy', 'check', join(dir, 'policies.yaml')]);
    expect(check.out).toMatch(/^ok: 3 policies, default allow, version sha256:/);
    const test = await stepgate(['policy', 'test', join(dir, 'policies.test.yaml')]);
    expect(test.out).toContain('5 passed, 0 failed');
  });

  it('policy check reports file:line:col; policy test fails on a failing case', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'p.yaml'), 'policies:\n  - id: a\n    effect: nope\ndefault: allow\n');
    await expect(stepgate(['policy', 'check', join(dir, 'p.yaml')])).rejects.toThrow(/p\.yaml:3:\d+/);
    writeFileSync(join(dir, 'q.yaml'), 'policies: []\ndefault: deny\n');
    writeFileSync(
      join(dir, 'q.test.yaml'),
      'tests:\n  - name: expects allow\n    input: { request: { subject: { id: u }, action: { name: x } } }\n    expect: { decision: allow }\n',
    );
    await expect(stepgate(['policy', 'test', join(dir, 'q.test.yaml')])).rejects.toThrow(
      /1 policy test\(s\) failed/,
    );
  });

  it('policy check lists every problem, each with file:line:col, and prints the field types', async () => {
    const dir = freshDir();
    writeFileSync(
      join(dir, 'a.yaml'),
      'policies:\n  - id: a\n    when: { transaction.amount: { gt: 5 } }\n    effect: deny\n  - id: b\n    when: { transaction.amount: "5" }\n    effect: deny\n    onMissing: step_up\ndefault: allow\n',
    );
    writeFileSync(join(dir, 'b.yaml'), 'policies:\n  - id: c\n    effect: maybe\ndefault: allow\n');
    const { io, err } = capture();
    const program = createProgram(io).exitOverride();
    await expect(
      program.parseAsync(['node', 'stepgate', 'policy', 'check', join(dir, 'a.yaml'), join(dir, 'b.yaml')]),
    ).rejects.toThrow(/3 problems in .*a\.yaml, .*b\.yaml \(listed above\)/);
    expect(err).toEqual([
      expect.stringMatching(/a\.yaml:8:\d+ \/policies\/1\/onMissing: "onMissing: step_up" needs a "require"/),
      expect.stringMatching(
        /a\.yaml:6:\d+ \/policies\/1\/when\/transaction\.amount: "transaction\.amount" is used with two types/,
      ),
      expect.stringMatching(/b\.yaml:3:\d+ \/policies\/0\/effect: must be one of/),
    ]);
    writeFileSync(
      join(dir, 'ok.yaml'),
      'fields:\n  transaction.tags: string[]\npolicies:\n  - id: a\n    when: { transaction.amount: { gt: 5 } }\n    effect: deny\ndefault: allow\n',
    );
    const ok = await stepgate(['policy', 'check', join(dir, 'ok.yaml')]);
    expect(ok.out).toContain('transaction.amount: number (a)');
    expect(ok.out).toContain('transaction.tags: string[] declared');
  });

  it('apikey create prints a key once and stores only its hash; keys rotate adds a key', async () => {
    const dir = freshDir();
    await stepgate(['init', '--dir', dir]);
    const created = await stepgate(['apikey', 'create', '--admin', '--label', 'ops'], dir);
    const key = created.out.trim();
    expect(key).toMatch(/^sgk_[A-Za-z0-9_-]{43}$/);
    expect(created.err).toContain('shown only once');
    const db = readFileSync(join(dir, 'data', 'stepgate.db'));
    expect(db.includes(Buffer.from(key))).toBe(false);
    await expect(stepgate(['apikey', 'create', '--audience', 'elsewhere'], dir)).rejects.toThrow(
      /not configured/,
    );
    const id = /API key (key_\S+)/.exec(created.err)![1]!;
    const listed = await stepgate(['apikey', 'list', '--format', 'json'], dir);
    expect(JSON.parse(listed.out)).toEqual([
      expect.objectContaining({ id, audience: 'default', admin: true, label: 'ops', revokedAt: null }),
    ]);
    expect(listed.out).not.toContain(key);
    expect((await stepgate(['apikey', 'revoke', id], dir)).out).toBe(`revoked ${id}`);
    const table = (await stepgate(['apikey', 'list'], dir)).out.split('\n');
    expect(table[0]).toMatch(/^ID\s+AUDIENCE\s+ADMIN\s+CREATED\s+REVOKED\s+LABEL$/);
    expect(table[1]).toMatch(new RegExp(`^${id}\\s+default\\s+yes\\s+\\S+Z\\s+\\S+Z\\s+ops$`));
    await expect(stepgate(['apikey', 'revoke', id], dir)).rejects.toThrow(/no unrevoked API key/);
    const rotated = await stepgate(['keys', 'rotate', '--config', join(dir, 'stepgate.yaml')]);
    expect(rotated.out).toMatch(/^new step_up signing key: [A-Za-z0-9_-]{43}/);
  });

  it('--help lists every command', async () => {
    const { io, out } = capture();
    const program = createProgram(io).exitOverride();
    await expect(program.parseAsync(['node', 'stepgate', '--help'])).rejects.toMatchObject({
      code: 'commander.helpDisplayed',
    });
    for (const command of ['init', 'serve', 'policy', 'apikey', 'keys'])
      expect(out.join('')).toContain(command);
  });
});

describe('stepgate CLI (bundled binary, spawned)', () => {
  let cli: string;
  beforeAll(async () => {
    cli = await bundleForNode('src/cli/main.ts', 'stepgate-cli');
  }, 60_000);

  it('prints help for every command', async () => {
    for (const args of [['--help'], ['serve', '--help'], ['keys', 'rotate', '--help']]) {
      const { stdout } = await run(process.execPath, [cli, ...args]);
      expect(stdout).toMatch(/^Usage: stepgate/);
    }
  });

  it('init, apikey create, then serve answers a decision with that key', async () => {
    const dir = freshDir();
    await run(process.execPath, [cli, 'init', '--dir', dir]);
    const { stdout: key } = await run(process.execPath, [cli, 'apikey', 'create'], { cwd: dir });
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let output = '';
      while (!LISTENING.test(output)) {
        const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
        output += chunk.toString();
      }
      const url = LISTENING.exec(output)![1]!;
      const res = await fetch(`${url}/v1/decisions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key.trim()}`, 'content-type': 'application/json' },
        body: JSON.stringify({ subject: { id: 'u1' }, action: { name: 'payments.list' } }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { decision: string }).decision).toBe('allow');
    } finally {
      child.kill('SIGTERM');
      // A clean stop: in-flight requests finish, the store closes, exit code 0.
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
    }
  }, 60_000);

  /** Starts `stepgate serve ARGS` in `dir`; resolves with its URL, its output so far, and a clean stop. */
  async function serve(dir: string, args: string[]) {
    const child = spawn(process.execPath, [cli, 'serve', ...args], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    while (!LISTENING.test(output)) await once(child.stdout!, 'data');
    return {
      url: LISTENING.exec(output)![1]!,
      output: () => output,
      async stop() {
        child.kill('SIGTERM');
        const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
        expect({ code, signal, output }).toEqual({ code: 0, signal: null, output });
      },
    };
  }

  it('usage errors exit 2, failures 1, help 0 (issue 20)', async () => {
    const code = (args: string[]) =>
      run(process.execPath, [cli, ...args]).then(
        () => 0,
        (e: { code: number }) => e.code,
      );
    expect(await code(['policy', 'bogus'])).toBe(2);
    expect(await code(['serve', '--port', 'abc'])).toBe(2);
    expect(await code(['policy', 'check'])).toBe(2);
    expect(await code(['--no-such-option'])).toBe(2);
    expect(await code(['policy', 'check', join(freshDir(), 'missing.yaml')])).toBe(1);
    expect(await code(['--help'])).toBe(0);
    expect(await code(['--version'])).toBe(0);
  }, 60_000);

  it('serve writes JSON lines only: start, then drain and shutdown on SIGTERM (issue 20)', async () => {
    const dir = freshDir();
    await run(process.execPath, [cli, 'init', '--dir', dir]);
    const svc = await serve(dir, ['--port', '0']);
    await svc.stop();
    const lines = svc.output().trim().split('\n');
    const events = lines.map((line) => (JSON.parse(line) as { event?: string }).event).filter(Boolean);
    expect(events).toEqual(['start', 'drain', 'shutdown']);
    const last = JSON.parse(lines.at(-1)!) as { forced: boolean; level: number };
    expect(last).toMatchObject({ forced: false, level: 30 });
  }, 60_000);

  it('serve exits within --drain-timeout when a request stays in flight (issue 20)', async () => {
    const dir = freshDir();
    await run(process.execPath, [cli, 'init', '--dir', dir]);
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--drain-timeout', '1'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    while (!LISTENING.test(output)) await once(child.stdout!, 'data');
    const url = new URL(LISTENING.exec(output)![1]!);
    // A request whose body never finishes arriving: in flight until the deadline.
    const socket = connect(Number(url.port), url.hostname);
    await once(socket, 'connect');
    socket.write(
      'POST /v1/decisions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
    );
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    socket.destroy();
    expect(code).toBe(1);
    const last = JSON.parse(output.trim().split('\n').at(-1)!) as { event: string; forced: boolean };
    expect(last).toMatchObject({ event: 'shutdown', forced: true });
  }, 60_000);

  it('serve creates no API key: three restarts on one data dir leave only the key apikey created (issue 22)', async () => {
    const dir = freshDir();
    await run(process.execPath, [cli, 'init', '--dir', dir]);
    await run(process.execPath, [cli, 'apikey', 'create'], { cwd: dir });
    for (let i = 0; i < 3; i++) await (await serve(dir, ['--port', '0'])).stop();
    const db = new Database(join(dir, 'data', 'stepgate.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT admin, revoked_at FROM api_keys').all()).toEqual([
        { admin: 0, revoked_at: null },
      ]);
    } finally {
      db.close();
    }
  }, 60_000);

  it('init --dev derives the issuer from the port it writes; serve --dev warns when it listens elsewhere', async () => {
    const dir = freshDir();
    await run(process.execPath, [cli, 'init', '--dir', dir, '--dev', '--port', '9131']);
    const config = readFileSync(join(dir, 'stepgate.yaml'), 'utf8');
    expect(config).toContain('issuer: "http://localhost:9131"');
    expect(config).toMatch(/^ {2}port: 9131$/m);
    const svc = await serve(dir, ['--dev', '--port', '0']);
    try {
      await expect
        .poll(() => svc.output(), { timeout: 5000 })
        .toMatch(/"level":40.*the issuer http:\/\/localhost:9131 does not match where the service listens/);
    } finally {
      await svc.stop();
    }
    const other = freshDir();
    await run(process.execPath, [cli, 'init', '--dir', other, '--issuer', 'https://auth.bank.example']);
    expect(readFileSync(join(other, 'stepgate.yaml'), 'utf8')).toContain(
      'issuer: "https://auth.bank.example"',
    );
  }, 60_000);

  it('fails with a located error on a broken config', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'stepgate.yaml'), 'server:\n  port: high\n');
    const failed = await run(process.execPath, [cli, 'serve'], { cwd: dir }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((failed as { code: number }).code).toBe(1);
    expect((failed as { stderr: string }).stderr).toContain(
      'stepgate.yaml:2:9 /server/port: must be integer',
    );
  });
});
