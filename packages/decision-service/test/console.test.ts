/**
 * Issue 17 §3: the operator console in Chromium (playwright-core) against the real service:
 * sign-in exchanges the admin key for an HttpOnly SameSite=Strict cookie, a backtest of a
 * candidate shows the expected transitions, feedback from the audit view shows up on the Policies
 * page and in the backtest's labels, each
 * page is axe-clean in English and French. Also: off unless enabled, CSRF and session checks.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs tool without types
import { chromiumArgs, chromiumHelp, chromiumPath } from '../../../tools/chromium.mjs';
import type { RunningService } from '../src/index.js';
import { CHALLENGE_POLICY } from './challenge-helpers.js';
import { client, start } from './helpers.js';

const CANDIDATE = `policies:
  - id: fresh-check-for-transfers
    when: { action: payments.transfer, transaction.amount: { gt: 250 } }
    require: { level: aal1, maxAge: 0, bindTransaction: true }
default: allow
`;
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SHOTS = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));

/** Saves docs/screenshots/console-NAME.png when `DEMO_SCREENSHOTS=1` (like the demo's tour). */
async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  if (process.env.DEMO_SCREENSHOTS !== '1') return;
  await page.screenshot({ path: `${SHOTS}console-${name}.png`, fullPage });
}

async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the page's CSP (script-src 'self') does not apply.
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is a global the script above defines
    const result = await (globalThis as any).axe.run((globalThis as any).document, {
      runOnly: ['wcag2a', 'wcag2aa', 'best-practice'],
    });
    return result.violations.map((v: { id: string; nodes: unknown[] }) => `${v.id} (${v.nodes.length})`);
  });
}

describe('operator console', () => {
  let svc: RunningService;
  let browser: Browser;
  let call: ReturnType<typeof client>;
  const ids: string[] = [];

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(chromiumHelp);
    svc = await start({
      policies: CHALLENGE_POLICY,
      config: { console: { enabled: true }, senders: { email: { type: 'dev' } } },
    });
    call = client(svc);
    await call('PUT', '/v1/users/ana', { email: 'ana@example.com' });
    for (const amount of [100, 300, 400, 800, 50]) {
      const res = await call('POST', '/v1/decisions', {
        subject: { id: 'ana', sessionId: 's-ana' },
        action: { name: 'payments.transfer' },
        transaction: { amount, currency: 'EUR' },
        context: { ip: '198.51.100.7' },
      });
      ids.push(res.body.decisionId);
    }
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, timeout: 60_000 });
  });
  afterAll(async () => {
    await browser?.close();
    await svc?.close();
  });

  it('signs in, backtests a candidate, labels a decision from the audit view, axe-clean in en and fr', async () => {
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${svc.url}/console`);
    await page.getByLabel('Admin API key').fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).last().click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not valid');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Admin API key').fill(svc.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).last().click();
    // Overview: the chart draws the three outcome series with the counts of the history.
    await page.locator('stepgate-console').locator('#chart canvas').first().waitFor();
    const chart = await page.evaluate(() => {
      // biome-ignore lint/suspicious/noExplicitAny: the console element's uPlot instance
      const el = (globalThis as any).document.querySelector('stepgate-console');
      return {
        labels: el.chart.series.slice(1).map((s: { label: string }) => s.label),
        sums: el.chart.data.slice(1).map((d: number[]) => d.reduce((a, b) => a + b, 0)),
      };
    });
    expect(chart).toEqual({ labels: ['allow', 'step_up', 'deny', 'invalid_request'], sums: [4, 1, 0, 0] });
    expect(await page.locator('[data-tile="step-up"]').textContent()).toBe('20.0 %');
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'overview');
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({
      name: 'stepgate_console',
      httpOnly: true,
      sameSite: 'Strict',
      path: '/console',
    });
    expect(cookie!.value).not.toContain(svc.adminKey);

    // Backtest: 300 and 400 go from allow to step_up with the candidate's lower threshold.
    await page.getByRole('button', { name: 'Backtest' }).click();
    await page.getByLabel('Candidate policy (YAML or JSON)').fill(CANDIDATE);
    await page.getByRole('button', { name: 'Run the backtest' }).click();
    const transition = page.locator('stepgate-console').locator('[data-transition="allow→step_up"]');
    await transition.waitFor();
    const row = transition.locator('xpath=..');
    expect(await row.locator('td').first().textContent()).toBe('2');
    expect(await row.locator('td.ids').textContent()).toBe(`${ids[1]} ${ids[2]}`);
    expect(
      await page.getByRole('heading', { name: /5 decisions, 5 replayable, 0 not replayable/ }).count(),
    ).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'backtest', true);

    // Audit: read a record in words and mark it as fraud.
    await page.getByRole('button', { name: 'Audit' }).click();
    const card = page.locator(`article[data-decision="${ids[2]}"]`);
    await card.waitFor();
    expect(await card.getByRole('heading').textContent()).toBe('ana asked to payments.transfer');
    await card.getByRole('button', { name: 'Mark as fraud' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Marked as fraud.');
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'audit');

    const stepped = page.locator(`article[data-decision="${ids[3]}"]`);
    await stepped.getByRole('button', { name: 'Mark as legitimate' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Marked as legit.');

    // Policies: what the policies in force do; the legit label shows up on the policy that challenged it.
    await page.getByRole('button', { name: 'Policies' }).click();
    const fresh = page.locator('tr[data-policy="fresh-check-for-transfers"]');
    await fresh.waitFor();
    expect(await page.getByRole('columnheader', { name: 'Legitimate challenged' }).count()).toBe(1);
    expect(await fresh.locator('td').first().textContent()).toBe('1');
    expect(await fresh.locator('td[data-col="legit"]').textContent()).toBe('1');
    expect(await fresh.locator('td[data-col="fraud"]').textContent()).toBe('0');
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'policies', true);

    // The label reaches the backtest's label estimate.
    await page.getByRole('button', { name: 'Backtest' }).click();
    await page.getByRole('button', { name: 'Run the backtest' }).click();
    await expect
      .poll(() => page.locator('[data-label="fraud"]').textContent())
      .toBe('Fraud: 1 labelled, stopped 0 now, 1 with the candidate');

    // French, on a phone-sized screen.
    await page.setViewportSize({ width: 390, height: 800 });
    await page.getByRole('button', { name: 'Français' }).click();
    expect(
      await page.evaluate(
        // biome-ignore lint/suspicious/noExplicitAny: the page's document
        () => (globalThis as any).document.documentElement.lang,
      ),
    ).toBe('fr');
    await page.getByRole('button', { name: 'Lancer le rejeu' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);

  it('refuses a cross-site or headerless call, a call without a session, and is off unless enabled', async () => {
    const signIn = await fetch(`${svc.url}/console/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stepgate-console': '1' },
      body: JSON.stringify({ key: svc.adminKey }),
    });
    expect(signIn.status).toBe(204);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const post = (headers: Record<string, string>) =>
      fetch(`${svc.url}/console/api/backtests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ policy: CANDIDATE }),
      });
    expect((await post({ cookie })).status).toBe(403); // no Stepgate-Console header
    expect((await post({ cookie, 'stepgate-console': '1', origin: 'https://evil.example' })).status).toBe(
      403,
    );
    expect((await post({ 'stepgate-console': '1' })).status).toBe(401);
    // Cookies the service never issued: refused as signed out, never a 5xx.
    for (const forged of ['', 'x', 'A'.repeat(43), `${'A'.repeat(42)}%`, 'é'.repeat(43), 'A'.repeat(5000)])
      expect((await post({ cookie: `stepgate_console=${forged}`, 'stepgate-console': '1' })).status).toBe(
        401,
      );
    expect((await post({ cookie, 'stepgate-console': '1' })).status).toBe(200);
    const other = await fetch(`${svc.url}/console/api/users/ana`, { headers: { cookie } });
    expect(other.status).toBe(404);
    const wrongKey = await fetch(`${svc.url}/console/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stepgate-console': '1' },
      body: JSON.stringify({ key: svc.apiKey }),
    });
    expect(wrongKey.status).toBe(403); // not an admin key
    const off = await start();
    try {
      expect((await fetch(`${off.url}/console`)).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});
