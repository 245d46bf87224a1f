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
import { describeTransferStepUp, sampleSuite, startSampleApp } from '@stepgate/tools/test-kit';
import { build } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';

const dir = fileURLToPath(new URL('..', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'stepgate-vue-'));
const suite = sampleSuite(async (sample) => {
  await build({ root: dir, configFile: join(dir, 'vite.config.ts'), build: { outDir, emptyOutDir: true } });
  return [await startSampleApp({ sample, files: outDir })];
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

// The element's typed event reaches the Vue listener (@step-up-complete).
describeTransferStepUp('Vue sample, built with Vite', suite, {
  output: 'output',
  confirmed: '#app > p',
  event: '@step-up-complete',
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
