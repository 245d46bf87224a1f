/**
 * Chromium for the framework samples' tests (Debian's, with the workspace's flags), a signed-in
 * page, and the one interaction every sample shares: answering the step-up dialog with the code
 * the dev outbox holds.
 */
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
// @ts-expect-error tools/chromium.mjs is plain JS without types
import { chromiumArgs, chromiumPath } from '../chromium.mjs';
import { SESSION_COOKIE } from './sample-app.js';
import { SAMPLE_USER, type SampleService } from './sample-service.js';

/** Launches Chromium once per test file. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath as string, args: chromiumArgs as string[] });
}

/** A page of a fresh context, signed in as {@link SAMPLE_USER}, collecting page errors. */
export async function signedInPage(
  browser: Browser,
  url: string,
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext();
  await context.addCookies([{ name: SESSION_COOKIE, value: SAMPLE_USER.id, url }]);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  // A failed load is recorded once, with its URL, from the response; Chromium's console line
  // for it says less. A 401 is the step-up answer itself, not a problem.
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && response.status() !== 401) {
      problems.push(
        `${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`,
      );
    }
  });
  return { context, page, problems };
}

/**
 * Answers the open `<step-up-challenge>` dialog with the email code just sent: waits for the code
 * field and for the line that says where the code went (the code exists from then on), then
 * types the newest code of the dev outbox and submits it.
 */
export async function answerEmailCode(page: Page, sample: SampleService, seen: number): Promise<void> {
  const dialog = page.locator('step-up-challenge');
  await dialog.locator('[part~="input"]').waitFor();
  // The line says "Sending a code…" until the service answers, then the masked address.
  await dialog.locator('[part~="destination"]', { hasText: /[*•]/ }).waitFor();
  await dialog.locator('[part~="input"]').fill(await sample.nextCode(seen));
  await dialog.locator('[part~="submit"]').click();
}
