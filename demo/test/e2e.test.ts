import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, signedIn, startTestDemo } from './harness.js';

let demo: Awaited<ReturnType<typeof startTestDemo>>;
let browser: Browser;
beforeAll(async () => {
  [demo, browser] = await Promise.all([startTestDemo(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

describe('Acme Bank in Chromium', () => {
  it('signs in, shows the balance, and runs a small transfer without a challenge', async () => {
    const { context, page } = await signedIn(browser, demo.url, 'bob');
    await expect(page.locator('[data-testid="balance"]').textContent()).resolves.toContain('3,200.00');
    await screenshot(page, 'account');
    await page.fill('#amount', '50');
    await page.click('#send');
    await page.locator('[data-testid="transfer-result"] .verdict[data-status="ok"]').waitFor();
    await expect(page.locator('[data-testid="balance"]').textContent()).resolves.toContain('3,150.00');
    await context.close();
  });

  it('the risk panel: a Tor exit is denied, a datacenter IP runs (report-only)', async () => {
    const { context, page } = await signedIn(browser, demo.url, 'bob');
    await page.goto(`${demo.url}/#risk`);
    await page.click('button[data-scenario="tor"]');
    await expect(page.locator('[data-testid="armed"]').textContent()).resolves.toContain('tor');
    await page.click('#check-balance');
    const denied = page.locator('[data-testid="risk-result"] .verdict[data-status="denied"]');
    await denied.waitFor();
    await expect(denied.textContent()).resolves.toContain('tor-exit');
    await screenshot(page, 'risk-panel-tor');
    await page.click('button[data-scenario="datacenter"]');
    await page.click('#check-balance');
    await page.locator('[data-testid="risk-result"] .verdict[data-status="ok"]').waitFor();
    await context.close();
  });
});
