/**
 * The Vue 3 sample (docs/frontend.md "Vue"): built once with Vite 8 and @vitejs/plugin-vue into a
 * temporary directory, served by a node-client guarded app in front of the real decision service
 * (tools/test-kit), and driven in Chromium; and its templates type-checked with vue-tsc against
 * the widget's generated Volar types (GlobalComponents).
 */
import { spawnSync } from 'node:child_process';
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
import { build } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const dir = fileURLToPath(new URL('..', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'stepgate-vue-'));
let browser: Browser;
let sample: SampleService;
let app: SampleApp;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  const launching = launchChromium();
  sample = await startSampleService();
  await build({ root: dir, configFile: join(dir, 'vite.config.ts'), build: { outDir, emptyOutDir: true } });
  app = await startSampleApp({ sample, files: outDir });
  browser = await launching;
}, 180_000);
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

describe('Vue sample, built with Vite', () => {
  it('a transfer over 1000 € opens <step-up-challenge>; after the email code it is sent with the Step-Up-Token and @step-up-complete fired (S23, S26)', async () => {
    const { page, problems } = await open();
    const before = app.transfers.length;
    const seen = (await sample.codes()).length;
    await page.getByRole('button', { name: 'Send to Bob' }).click();
    await answerEmailCode(page, sample, seen);
    await expect.poll(() => page.locator('output').textContent()).toBe('Transfer sent.');
    // The element's typed event reached the Vue listener (@step-up-complete).
    expect(await page.locator('#app > p').textContent()).toBe('Confirmed with email_otp.');
    expect(app.transfers.slice(before)).toEqual([{ amount: 1500, payee: 'Bob', steppedUp: true }]);
    expect(problems).toEqual([]);
  });

  it('Cancel: the fetch wrapper rejects with StepUpCancelledError and the route never runs', async () => {
    const { page, problems } = await open();
    const before = app.transfers.length;
    await page.getByRole('button', { name: 'Send to Bob' }).click();
    await page.locator('step-up-challenge [part~="cancel"]').click();
    await expect.poll(() => page.locator('output').textContent()).toBe('Cancelled: nothing was sent.');
    expect(app.transfers.length).toBe(before);
    expect(problems).toEqual([]);
  });
});

describe('Vue templates type-check against @stepgate/web-widget/types/vue (vue-tsc, strictTemplates)', () => {
  const vueTsc = (project: string) => {
    const res = spawnSync(join(dir, 'node_modules/.bin/vue-tsc'), ['--noEmit', '-p', project], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
    });
    return {
      status: res.status,
      errors: `${res.stdout}${res.stderr}`.split('\n').filter((l) => / error /.test(l)),
    };
  };

  it('the sample (App.vue: a typed @step-up-complete handler) checks clean', () => {
    expect(vueTsc('tsconfig.json')).toEqual({ status: 0, errors: [] });
  }, 120_000);

  it('a wrong attribute value and a handler of the wrong event type are errors', () => {
    const { status, errors } = vueTsc('tsconfig.bad.json');
    expect(status).not.toBe(0);
    expect(errors).toEqual([
      `test/fixtures/WrongUsage.vue(11,22): error TS2322: Type '"blue"' is not assignable to type '"light" | "dark" | undefined'.`,
      `test/fixtures/WrongUsage.vue(12,23): error TS2322: Type '(event: StepUpFactorAddedEvent) => FactorView' is not assignable to type '(event: StepUpCompleteEvent) => void'.`,
    ]);
  }, 120_000);
});
