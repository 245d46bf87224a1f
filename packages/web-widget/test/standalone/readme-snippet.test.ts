/**
 * README "Without a bundler": the plain-HTML block is taken from README.md at test time and
 * served as a page, exactly as written, by a demo-like app guarding `POST /api/transfers` with
 * node-client (docs/backend.md's path and body) in front of the real decision service. The CDN
 * URL in the block answers with the bundles built from the current sources, at the path the
 * package's `unpkg` field names, so the snippet, the package fields and the bundles cannot drift
 * apart. A transfer over 1000 € steps up with an email code in Chromium and is then sent.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  answerEmailCode,
  launchChromium,
  type SampleApp,
  type SampleService,
  startSampleApp,
  startSampleService,
} from '@stepgate/tools/test-kit';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStandalone, type StandaloneBundle } from './build-standalone.js';

const pkgDir = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(`${pkgDir}package.json`, 'utf8')) as {
  name: string;
  version: string;
  unpkg: string;
  jsdelivr: string;
  exports: Record<string, unknown>;
};

/** The README's block under "## Without a bundler" (the first ```html block of that section). */
function readmeSnippet(): string {
  const readme = readFileSync(`${pkgDir}README.md`, 'utf8');
  const section = readme.slice(readme.indexOf('\n## Without a bundler\n'));
  const block = /```html\n([\s\S]*?)\n```/.exec(section);
  if (!block?.[1]) throw new Error('README.md has no ```html block under "## Without a bundler"');
  return block[1];
}

const snippet = readmeSnippet();
let browser: Browser;
let sample: SampleService;
let app: SampleApp;
const bundles: StandaloneBundle[] = [];

beforeAll(async () => {
  const launching = launchChromium();
  sample = await startSampleService();
  bundles.push(await buildStandalone('step-up-challenge'), await buildStandalone('step-up-fetch'));
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Transfer</title></head><body>\n${snippet}\n</body></html>`;
  app = await startSampleApp({
    sample,
    files: new Map([['/index.html', { body: page, type: 'text/html; charset=utf-8' }]]),
  });
  browser = await launching;
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await sample?.close();
});

/** A signed-in page of the app whose CDN requests answer with the built bundles. */
async function openSnippet(): Promise<{ context: BrowserContext; cdn: string[]; problems: string[] }> {
  const context = await browser.newContext();
  context.setDefaultTimeout(15_000);
  await context.addCookies([{ name: 'sample-user', value: 'alice', url: app.url }]);
  const cdn: string[] = [];
  const cdnBase = `https://unpkg.com/${pkg.name}@${pkg.version}/${pkg.unpkg.replace(/^\.\//, '')}`;
  await context.route('https://unpkg.com/**', (route) => {
    const url = route.request().url();
    cdn.push(url);
    const bundle = bundles.find((b) => new URL(b.fileName, cdnBase).href === url);
    return bundle
      ? route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: bundle.code })
      : route.fulfill({ status: 404, body: 'not found' });
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(app.url);
  return { context, cdn, problems };
}

describe('README "Without a bundler": the plain-HTML snippet as written', () => {
  it('imports the challenge bundle by the URL of the package’s unpkg field and version (no bare specifier), and the exports map and jsdelivr name the same bundles', () => {
    const imports = [...snippet.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]);
    expect(imports).toEqual([
      `https://unpkg.com/${pkg.name}@${pkg.version}/${pkg.unpkg.replace(/^\.\//, '')}`,
    ]);
    expect(pkg.jsdelivr).toBe(pkg.unpkg);
    expect(pkg.exports['./standalone/challenge.js']).toMatchObject({ default: pkg.unpkg });
    expect(pkg.exports['./standalone/fetch.js']).toMatchObject({
      default: './dist/standalone/step-up-fetch.min.js',
    });
  });

  it('a transfer over 1000 € opens <step-up-challenge>; the email code from the real service sends it with a Step-Up-Token (S23, S26)', async () => {
    const { context, cdn, problems } = await openSnippet();
    try {
      const page = context.pages()[0]!;
      const seen = (await sample.codes()).length;
      await page.locator('#transfer button').click();
      await answerEmailCode(page, sample, seen);
      await expect.poll(() => page.locator('#result').textContent()).toBe('Transfer sent.');
      expect(app.transfers.at(-1)).toEqual({ amount: 1500, payee: 'Bob', steppedUp: true });
      // The fetch flow came from beside the challenge bundle, on demand.
      expect(cdn.map((u) => u.split('/').at(-1))).toEqual([
        'step-up-challenge.min.js',
        'step-up-fetch.min.js',
      ]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('Cancel in the dialog shows "Cancelled: nothing was sent." and the route never runs (S26)', async () => {
    const { context, problems } = await openSnippet();
    try {
      const page = context.pages()[0]!;
      const before = app.transfers.length;
      await page.locator('#transfer button').click();
      await page.locator('step-up-challenge [part~="cancel"]').click();
      await expect.poll(() => page.locator('#result').textContent()).toBe('Cancelled: nothing was sent.');
      expect(app.transfers.length).toBe(before);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
