import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createProgram } from '../src/cli/program.js';
import { bundleForNode } from './bundle.js';
import { freshDir } from './helpers.js';

const run = promisify(execFile);

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
    expect(test.out).toContain('3 passed, 0 failed');
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
    expect((await stepgate(['apikey', 'revoke', id], dir)).out).toBe(`revoked ${id}`);
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
      while (!/listening on (\S+)/.test(output)) {
        const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
        output += chunk.toString();
      }
      const url = /listening on (\S+)/.exec(output)![1]!;
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
