#!/usr/bin/env node
// Runs the README's two commands exactly as README.md shows them, in a fresh clone of this
// repository's HEAD, so the README cannot drift from what works (`.ci/run` runs this):
//   1. the demo command, until the demo answers at its URL (then Ctrl-C, as a person would);
//   2. the test command, whose closing `N passed, N failed` line becomes ours (+1 for the demo).
// The commands are read from the first ```sh block under "## Two commands"; nothing is copied.
//
//   node tools/readme-commands.mjs [--keep]     --keep leaves the clone for a look afterwards
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const DEMO_READY_MS = 10 * 60_000;

/**
 * The two commands of the README: the lines of the first `sh` block under "## Two commands" that
 * run `pnpm demo` and `pnpm test`.
 */
export function readmeCommands(markdown) {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('Two commands'));
  const block = section && /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README.md has no ```sh block under "## Two commands"');
  const lines = block.split('\n').map((l) => l.trim());
  const find = (re) => {
    const hits = lines.filter((l) => l !== '' && !l.startsWith('#') && re.test(l));
    if (hits.length !== 1)
      throw new Error(`README.md: expected one command matching ${re}, found ${hits.length}`);
    return hits[0];
  };
  return { demo: find(/\bpnpm demo\b/), test: find(/\bpnpm (run )?test\b/) };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Runs one shell command line in `cwd`, echoing its output with a prefix; resolves on exit. */
function shell(command, cwd, env, onOutput) {
  const child = spawn('bash', ['-c', command], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const done = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (text) => {
      process.stdout.write(text);
      onOutput?.(text);
    });
  }
  return { child, done };
}

async function checkDemo(command, cwd) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'stepgate-readme-demo-'));
  const started = Date.now();
  let out = '';
  const run = shell(command, cwd, { ...process.env, PORT: String(port), STEPGATE_DEMO_DIR: dataDir }, (t) => {
    out += t;
  });
  const url = `http://localhost:${port}`;
  let answered = false;
  try {
    while (Date.now() - started < DEMO_READY_MS && run.child.exitCode === null) {
      if (out.includes(url)) {
        const res = await fetch(url).catch(() => undefined);
        if (res?.status === 200) {
          answered = (await res.text()).includes('Acme Bank');
          break;
        }
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const seconds = Math.round((Date.now() - started) / 1000);
    if (answered) console.log(`\nreadme: the demo command answered at ${url} after ${seconds} s`);
    else console.error(`\nreadme: the demo command did not answer at ${url} (after ${seconds} s)`);
  } finally {
    if (run.child.exitCode === null) {
      process.kill(-run.child.pid, 'SIGINT'); // Ctrl-C reaches the whole process group
      const stopped = await Promise.race([run.done, new Promise((r) => setTimeout(r, 20_000))]);
      if (!stopped) process.kill(-run.child.pid, 'SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  return answered;
}

async function checkTests(command, cwd) {
  let out = '';
  const run = shell(command, cwd, process.env, (t) => {
    out += t;
  });
  const { code } = await run.done;
  const lines = [...out.matchAll(/^(\d+) passed, (\d+) failed/gm)];
  const last = lines.at(-1);
  if (!last) return { passed: 0, failed: 1, code };
  return { passed: Number(last[1]), failed: Number(last[2]) + (code !== 0 && last[2] === '0' ? 1 : 0), code };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const commands = readmeCommands(readFileSync(join(root, 'README.md'), 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'stepgate-readme-'));
  const clone = join(dir, 'stepgate');
  execFileSync('git', ['clone', '--quiet', root, clone], { stdio: 'inherit' });
  console.log(`readme: fresh clone of HEAD in ${clone}`);
  console.log(`readme: demo command: ${commands.demo}`);
  const demoOk = await checkDemo(commands.demo, clone);
  console.log(`readme: test command: ${commands.test}`);
  const tests = await checkTests(commands.test, clone);
  if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  const passed = tests.passed + (demoOk ? 1 : 0);
  const failed = tests.failed + (demoOk ? 0 : 1);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}
