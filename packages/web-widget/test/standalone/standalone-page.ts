/**
 * A page in Debian's Chromium (playwright-core, the demo's launcher flags) that loads built
 * standalone bundles the way docs/widget.md tells users to: `<script type="module" src="…">`
 * from the page's own server. Every request goes through Playwright's interception: the page,
 * the bundles and the fake service answer; anything else is a 404 and a recorded problem, so a
 * bundle that tries to load another module (a leaked `import 'lit'`) cannot pass unnoticed.
 */
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
// @ts-expect-error tools/chromium.mjs is plain JS without types
import { chromiumArgs, chromiumPath } from '../../../../tools/chromium.mjs';
import type { StandaloneBundle } from './build-standalone.js';
import { type FakeStepgate, ORIGIN } from './fake-stepgate.js';

/** One Chromium for a test file. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath as string, args: chromiumArgs as string[] });
}

/** An open page and what happened while it ran. */
export interface StandalonePage {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors, console errors and requests nothing answers. */
  problems: string[];
  /** Paths the page requested, in order. */
  requested: string[];
}

/** The path a bundle is served at, as a site would host dist/standalone/. */
export const bundlePath = (bundle: StandaloneBundle): string => `/js/${bundle.fileName}`;

/** `<script type="module" src>` for each bundle, as docs/widget.md's "Loading it" table shows. */
export const scriptTags = (...bundles: StandaloneBundle[]): string =>
  bundles.map((b) => `<script type="module" src="${bundlePath(b)}"></script>`).join('\n');

/**
 * Opens `ORIGIN/` with `body` in a fresh context; `bundles` are served under /js/, the service
 * under /stepgate/. Resolves once the page's module scripts have run (`load`).
 */
export async function openPage(
  browser: Browser,
  options: { body: string; lang?: string; bundles: StandaloneBundle[]; service: FakeStepgate },
): Promise<StandalonePage> {
  const context = await browser.newContext();
  // Fail on a missing element in seconds, with Playwright's message, before the test times out.
  context.setDefaultTimeout(8000);
  const page = await context.newPage();
  const problems: string[] = [];
  const requested: string[] = [];
  const html = `<!doctype html><html lang="${options.lang ?? 'en'}"><head><meta charset="utf-8"><title>standalone</title></head><body>\n${options.body}\n</body></html>`;
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
  });
  await context.route('**/*', async (route) => {
    const request = route.request();
    const url = new URL(request.url());
    requested.push(url.pathname);
    if (url.origin === ORIGIN && url.pathname === '/') {
      return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
    }
    const bundle = options.bundles.find((b) => url.origin === ORIGIN && url.pathname === bundlePath(b));
    if (bundle)
      return route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: bundle.code });
    if (url.origin === ORIGIN && url.pathname.startsWith('/stepgate/')) {
      const body = request.postData() === null ? undefined : request.postDataJSON();
      const answer = options.service.handle(request.method(), url.pathname, body);
      if (answer) return route.fulfill({ status: answer.status, json: answer.json });
    }
    problems.push(`unexpected request: ${request.method()} ${request.url()}`);
    return route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' });
  });
  await page.goto(`${ORIGIN}/`);
  return { context, page, problems, requested };
}

/** Which of the widget's tags are defined in the page (module scripts have run by `load`). */
export function definedTags(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    ['step-up-challenge', 'step-up-enroll'].filter((tag) => customElements.get(tag)),
  );
}
