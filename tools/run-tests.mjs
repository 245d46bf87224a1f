#!/usr/bin/env node
// `pnpm test`: every runner of the workspace, then one plain line `N passed, N failed`.
//   vitest          Node packages and the demo's end-to-end tests (vitest.config.ts)
//   web-test-runner browser packages in Debian's Chromium (web-test-runner.config.mjs)
// Usage: node tools/run-tests.mjs [node|browser] [-- extra args for the runner]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumHelp, ensureChromium } from './chromium.mjs';
import { ensureServices } from './services.mjs';
import { runRetryingStall, stallMsFromEnv } from './watched-run.mjs';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv[2] === 'node' || process.argv[2] === 'browser' ? process.argv[2] : undefined;
const scratch = mkdtempSync(join(tmpdir(), 'stepgate-tests-'));
const bin = (name) => join(root, 'node_modules', '.bin', name);
const totals = { passed: 0, failed: 0, skipped: 0 };
const stallMs = stallMsFromEnv();
// The runners write to a pipe here, not a terminal: keep their colours when ours is one.
const runnerEnv = process.stdout.isTTY ? { ...process.env, FORCE_COLOR: '1' } : process.env;

/**
 * Runs one runner under the stall watchdog (tools/watched-run.mjs). A run that stalls — no output
 * for STEPGATE_TEST_STALL_SECONDS, 300 by default — is stopped and run once more from the start,
 * and says so; a second stall counts as a failure.
 */
const runRunner = (kind, report, command, args, env = runnerEnv) =>
  runRetryingStall(command, args, {
    cwd: root,
    env,
    stallMs,
    label: kind,
    beforeEach: () => rmSync(report, { force: true }),
  });

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

async function runVitest() {
  const out = join(scratch, 'vitest.json');
  const res = await runRunner('node', out, bin('vitest'), [
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
  ]);
  const report = res.stalls < 2 ? readJson(out) : undefined;
  if (!report) {
    console.error(
      res.stalls === 2
        ? 'vitest stalled twice; counting it as one failure.'
        : `vitest produced no report (exit ${res.status}); counting it as one failure.`,
    );
    return { passed: 0, failed: 1, skipped: 0 };
  }
  // A test file that fails to load has no assertions, and one whose beforeAll failed has only
  // skipped ones: neither may count as zero. Each counts as one failure.
  const brokenFiles = (report.testResults ?? []).filter(
    (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
  ).length;
  const counts = {
    passed: report.numPassedTests,
    failed: report.numFailedTests + brokenFiles,
    skipped: report.numPendingTests + (report.numTodoTests ?? 0),
  };
  if (res.status !== 0 && counts.failed === 0) counts.failed = 1;
  return { ...counts, stalls: res.stalls };
}

async function runBrowser() {
  const out = join(scratch, 'wtr.json');
  const res = await runRunner('browser', out, bin('wtr'), ['--config', 'web-test-runner.config.mjs'], {
    ...runnerEnv,
    WTR_COUNT_FILE: out,
  });
  const counts = (res.stalls < 2 ? readJson(out) : undefined) ?? { passed: 0, failed: 1, skipped: 0 };
  if (res.status !== 0 && counts.failed === 0) counts.failed = 1;
  return { ...counts, stalls: res.stalls };
}

// Browser tests, the demo's end-to-end tests and the WebAuthn tests all need Chromium: install it
// first when it is missing and can be installed, or stop with one line that says what to run.
if (!ensureChromium()) {
  console.error(chromiumHelp);
  rmSync(scratch, { recursive: true, force: true });
  console.log('0 passed, 1 failed');
  process.exit(1);
}

// The scale-out tests run against PostgreSQL and Redis on loopback (issue 16): start them when
// they are installed but stopped, or say what to run. They are never skipped: when a service
// cannot be reached, its tests fail with that message and the run counts them.
if (only !== 'browser' && !(await ensureServices())) {
  console.error('PostgreSQL or Redis is unavailable: the scale-out tests will fail (see the line above).');
}

for (const [kind, run] of [
  ['node', runVitest],
  ['browser', runBrowser],
]) {
  if (only && only !== kind) continue;
  const c = await run();
  const stalled = c.stalls ? ` (stalled ${c.stalls === 1 ? 'once, then ran to the end' : 'twice'})` : '';
  console.log(
    `[${kind}] ${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''}${stalled}`,
  );
  totals.passed += c.passed;
  totals.failed += c.failed;
  totals.skipped += c.skipped;
}
rmSync(scratch, { recursive: true, force: true });
console.log(
  `${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`,
);
process.exit(totals.failed > 0 ? 1 : 0);
