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
import {
  answerEmailCode,
  launchChromium,
  type SampleApp,
  type SampleService,
  signedInPage,
  startSampleApp,
  startSampleService,
} from '@stepgate/tools/test-kit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const dir = fileURLToPath(new URL('..', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'stepgate-angular-'));
let browser: Browser;
let sample: SampleService;
let app: SampleApp;
const closers: Array<() => Promise<void>> = [];

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

beforeAll(async () => {
  const launching = launchChromium();
  sample = await startSampleService();
  await ngBuild();
  app = await startSampleApp({ sample, files: join(outDir, 'browser') });
  browser = await launching;
}, 300_000);
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await sample?.close();
  rmSync(outDir, { recursive: true, force: true });
});

async function open(): Promise<{ page: Page; problems: string[] }> {
  const { context, page, problems } = await signedInPage(browser, app.url);
  context.setDefaultTimeout(15_000);
  closers.push(() => context.close());
  await page.goto(app.url);
  return { page, problems };
}

describe('Angular sample, built with the Angular CLI (AOT)', () => {
  it('a transfer over 1000 € opens <step-up-challenge>; after the email code it is sent with the Step-Up-Token and (step-up-complete) reached the component (S23, S26)', async () => {
    const { page, problems } = await open();
    const before = app.transfers.length;
    const seen = (await sample.codes()).length;
    await page.getByRole('button', { name: 'Send to Bob' }).click();
    await answerEmailCode(page, sample, seen);
    await expect.poll(() => page.locator('app-root > output').textContent()).toBe('Transfer sent.');
    expect(await page.locator('app-root > p').textContent()).toBe('Confirmed with email_otp.');
    expect(app.transfers.slice(before)).toEqual([{ amount: 1500, payee: 'Bob', steppedUp: true }]);
    expect(problems).toEqual([]);
  });

  it('Cancel: the fetch wrapper rejects with StepUpCancelledError and the route never runs', async () => {
    const { page, problems } = await open();
    const before = app.transfers.length;
    await page.getByRole('button', { name: 'Send to Bob' }).click();
    await page.locator('step-up-challenge [part~="cancel"]').click();
    await expect
      .poll(() => page.locator('app-root > output').textContent())
      .toBe('Cancelled: nothing was sent.');
    expect(app.transfers.length).toBe(before);
    expect(problems).toEqual([]);
  });
});
