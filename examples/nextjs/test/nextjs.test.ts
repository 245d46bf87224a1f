/**
 * The Next.js App Router sample (docs/frontend.md "Next.js"): `next build` once per run (the
 * build cache stays in .next/cache), `next start` on a free port with the real decision service's
 * URL and key in its environment, then Chromium: the page rendered on the server, hydrated, and
 * a transfer stepped up through the route handler guarded with @stepgate/node-client's fetch
 * guard and the challenge proxy route.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  answerEmailCode,
  launchChromium,
  type SampleService,
  signedInPage,
  startSampleService,
} from '@stepgate/tools/test-kit';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dir = fileURLToPath(new URL('..', import.meta.url));
const next = `${dir}node_modules/.bin/next`;
let browser: Browser;
let sample: SampleService;
let server: ChildProcess | undefined;
let url = '';

function run(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(next, args, {
    cwd: dir,
    env: { ...process.env, ...env, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; output: string }> {
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

beforeAll(async () => {
  const launching = launchChromium();
  sample = await startSampleService();
  const built = await exited(run(['build', '--webpack'], {}));
  if (built.code !== 0) throw new Error(`next build failed:\n${built.output}`);
  const port = await freePort();
  url = `http://localhost:${port}`;
  server = run(['start', '--port', String(port), '--hostname', '127.0.0.1'], {
    STEPGATE_URL: sample.service.url,
    STEPGATE_API_KEY: sample.service.apiKey,
  });
  const early = exited(server);
  for (let i = 0; ; i++) {
    const up = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (i > 300)
      throw new Error(`next start did not answer:\n${(await Promise.race([early, { output: '' }])).output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await launching;
}, 300_000);
afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const done = exited(server);
    server.kill('SIGTERM');
    await done;
  }
  await sample?.close();
});

describe('Next.js App Router sample', () => {
  it('renders the page on the server: the HTML already holds the heading and the form', async () => {
    const html = await (await fetch(url)).text();
    expect(html).toContain('<h1>Transfer</h1>');
    expect(html).toMatch(/<button type="button">Send to Bob<\/button>/);
    // The widget imports in Node (issue 19): the element is in the server's HTML, not added later.
    expect(html).toContain('<step-up-challenge');
  });

  it('the guarded route handler answers 401 unauthorized without a session, before asking the service', async () => {
    const res = await fetch(`${url}/api/transfers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 1500, payee: 'Bob' }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  it('hydrates: <step-up-challenge> is defined and connected; a transfer over 1000 € steps up through the proxy route and the retry with Step-Up-Token runs the route handler (S23, S26)', async () => {
    const { context, page, problems } = await signedInPage(browser, url);
    context.setDefaultTimeout(20_000);
    try {
      const calls: Array<{ status: number; token: boolean }> = [];
      page.on('response', (response) => {
        if (new URL(response.url()).pathname === '/api/transfers') {
          calls.push({ status: response.status(), token: 'step-up-token' in response.request().headers() });
        }
      });
      await page.goto(url);
      await page.locator('step-up-challenge').waitFor({ state: 'attached' });
      expect(await page.evaluate(() => customElements.get('step-up-challenge') !== undefined)).toBe(true);
      const seen = (await sample.codes()).length;
      await page.getByRole('button', { name: 'Send to Bob' }).click();
      await answerEmailCode(page, sample, seen);
      await expect.poll(() => page.locator('main > output').textContent()).toBe('Transfer sent.');
      expect(calls).toEqual([
        { status: 401, token: false },
        { status: 200, token: true },
      ]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
