import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
// @ts-expect-error tools/chromium.mjs is plain JS without types
import { chromiumArgs, chromiumPath } from '../../tools/chromium.mjs';
import { type RunningDemo, startDemo } from '../src/server/index.js';

/** A demo on a free port with a fresh data dir. */
export async function startTestDemo(): Promise<RunningDemo & { dataDir: string; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'acme-demo-'));
  const demo = await startDemo({ port: 0, dataDir });
  return {
    ...demo,
    dataDir,
    async stop() {
      await demo.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** One Chromium for the whole file (Debian's, with the workspace's flags). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath as string, args: chromiumArgs as string[] });
}

/** A fresh context (its own cookies and storage) with a page signed in as `userId`. */
export async function signedIn(
  browser: Browser,
  url: string,
  userId: string,
  viewport = { width: 1180, height: 860 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(url);
  await page.click(`button[data-user="${userId}"]`);
  await page.locator('[data-testid="balance"]').filter({ hasText: '€' }).waitFor();
  return { context, page };
}

/**
 * Adds a CDP virtual authenticator to the page's browser: CTAP2, internal (platform), resident
 * keys, user verification that succeeds — a device-bound passkey with a fingerprint.
 */
export async function addVirtualAuthenticator(context: BrowserContext, page: Page): Promise<void> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
}

/**
 * The code just sent to the signed-in user, read from the page's mailbox panel once the panel
 * shows the newest message of the dev outbox (call it after the code field appears).
 */
export async function nextMailCode(page: Page): Promise<string> {
  const newest = await page.evaluate(async () => {
    const res = await fetch('/api/demo/mailbox');
    const { messages } = (await res.json()) as { messages: Array<{ code?: string }> };
    return messages.filter((m) => m.code).at(-1)?.code ?? '';
  });
  if (!newest) throw new Error('no code in the dev outbox');
  await page.locator('[data-testid="mail-code"]').first().filter({ hasText: newest }).waitFor();
  return newest;
}

/** The challenge dialog: picks `method` when a picker is shown, then types and submits `code`. */
export async function answerWithCode(page: Page, method: string, code: () => Promise<string>): Promise<void> {
  const dialog = page.locator('step-up-challenge');
  const picker = dialog.locator(`[part~="method-button"][data-method="${method}"]`);
  const input = dialog.locator('[part~="input"]');
  await Promise.race([picker.waitFor(), input.waitFor()]);
  if (await picker.isVisible()) await picker.click();
  // A sent code exists once the dialog says where it went (the field may show before that).
  if (method === 'email_otp' || method === 'sms_otp') {
    await dialog.locator('[part~="destination"]', { hasText: /[*•]/ }).waitFor();
  }
  await input.fill(await code());
  await dialog.locator('[part~="submit"]').click();
}

/** Where screenshots go when `DEMO_SCREENSHOTS=1`. */
export const SCREENSHOT_DIR = new URL('../../docs/screenshots/', import.meta.url);

/** Saves a screenshot of the page, or of one element, when `DEMO_SCREENSHOTS=1` (docs/screenshots/NAME.png). */
export async function screenshot(page: Page | Locator, name: string): Promise<void> {
  if (process.env.DEMO_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, SCREENSHOT_DIR).pathname });
}
