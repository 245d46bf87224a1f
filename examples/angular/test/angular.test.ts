/**
 * The Angular sample (docs/frontend.md "Angular"): a standalone component, built once per run with
 * the Angular CLI's application builder (AOT, esbuild, strictTemplates) into a temporary
 * directory, served by a node-client guarded app in front of the real decision service
 * (tools/test-kit), and driven in Chromium.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeTransferStepUp, sampleSuite, startSampleApp } from '@stepgate/tools/test-kit';
import { afterAll } from 'vitest';

const dir = fileURLToPath(new URL('..', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'stepgate-angular-'));

/** `ng build` (production, AOT) into `outDir`; the CLI's analytics prompt and update check off. */
function ngBuild(): Promise<void> {
  const child = spawn(join(dir, 'node_modules/.bin/ng'), ['build', '--output-path', outDir], {
    cwd: dir,
    env: { ...process.env, NG_CLI_ANALYTICS: 'false', CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ng build failed:\n${output}`)))),
  );
}

const suite = sampleSuite(async (sample) => {
  await ngBuild();
  return [await startSampleApp({ sample, files: join(outDir, 'browser') })];
}, 300_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describeTransferStepUp('Angular sample, built with the Angular CLI (AOT)', suite, {
  output: 'app-root > output',
  confirmed: 'app-root > p',
  event: '(step-up-complete)',
});
