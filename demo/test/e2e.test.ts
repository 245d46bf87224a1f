import { createStepgate } from '@stepgate/node-client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../src/server/index.js';
import { SESSION_COOKIE } from '../src/server/sessions.js';
import {
  addVirtualAuthenticator,
  answerWithCode,
  launchBrowser,
  nextMailCode,
  screenshot,
  signedIn,
  startTestDemo,
} from './harness.js';

let demo: Awaited<ReturnType<typeof startTestDemo>>;
let browser: Browser;
beforeAll(async () => {
  [demo, browser] = await Promise.all([startTestDemo(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

describe('Acme Bank in Chromium', { timeout: 60_000 }, () => {
  it('signs in, shows the balance, and runs a small transfer without a challenge', async () => {
    const { context, page } = await signedIn(browser, demo.url, 'bob');
    await expect(page.locator('[data-testid="balance"]').textContent()).resolves.toContain('3,200.00');
    await screenshot(page, 'account');
    await page.fill('#amount', '50');
    await page.click('#send');
    await page.locator('[data-testid="transfer-result"] .verdict[data-status="ok"]').waitFor();
    await page.locator('[data-testid="balance"]', { hasText: '€3,150.00' }).waitFor();
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
  it('a medium transfer asks for the email code shown in the mailbox, then runs', async () => {
    const { context, page } = await signedIn(browser, demo.url, 'bob');
    await page.fill('#amount', '900');
    await page.fill('#payee', 'Garage Dupont');
    await page.click('#send');
    await answerWithCode(page, 'email_otp', async () => {
      const code = await nextMailCode(page);
      await screenshot(page, 'email-code');
      return code;
    });
    const done = page.locator('[data-testid="transfer-result"] .verdict[data-status="ok"]');
    await done.waitFor();
    await expect(done.textContent()).resolves.toContain('Garage Dupont');
    await context.close();
  });

  it('at 390 px the dialog and the amount being confirmed stay on screen; no raw ids (issue 19)', async () => {
    const { context, page } = await signedIn(browser, demo.url, 'bob', { width: 390, height: 844 });
    await page.fill('#amount', '1250.5');
    await page.fill('#payee', 'Garage Dupont');
    await page.click('#send');
    const el = page.locator('step-up-challenge');
    const amount = el.locator('[part~="amount"]');
    await amount.waitFor();
    await el.locator('[part~="destination"]', { hasText: /[*•]/ }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    for (const part of ['dialog', 'amount', 'input', 'submit', 'cancel']) {
      const box = await el.locator(`[part~="${part}"]`).boundingBox();
      expect(box, part).not.toBeNull();
      expect(box!.x, part).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width, part).toBeLessThanOrEqual(390);
      expect(box!.y + box!.height, part).toBeLessThanOrEqual(844);
    }
    await expect(amount.textContent()).resolves.toBe('€1,250.50');
    await expect(el.locator('[part~="action"]').textContent()).resolves.toBe('Transfer money');
    const text = await el.evaluate((e) => e.shadowRoot?.textContent ?? '');
    for (const raw of ['payments.transfer', 'urn:stepgate', 'StepUpError', 'userId'])
      expect(text).not.toContain(raw);
    await screenshot(page, 'challenge-390');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'challenge-390-dark');
    await el.locator('[part~="cancel"]').click();
    await context.close();
  });

  it('the challenge dialog in light and dark, as a designer reviews it', async () => {
    const { context, page } = await signedIn(browser, demo.url, 'bob');
    await page.fill('#amount', '900');
    await page.fill('#payee', 'Garage Dupont');
    await page.click('#send');
    const el = page.locator('step-up-challenge');
    await el.locator('[part~="destination"]', { hasText: /[*•]/ }).waitFor();
    await el.locator('[part~="input"]').pressSequentially('1234');
    await screenshot(el.locator('[part~="base"]'), 'challenge-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(el.locator('[part~="base"]'), 'challenge-dark');
    await el.locator('[part~="cancel"]').click();
    await context.close();
  });

  it('the embed page in a React Native webview: the bridge tells the app when a challenge starts and completes', async () => {
    const { context, page } = await signedIn(browser, demo.url, 'bob');
    await page.addInitScript(() => {
      const sent: string[] = [];
      Object.assign(window, {
        __sent: sent,
        ReactNativeWebView: { postMessage: (m: string) => sent.push(m) },
      });
    });
    await page.goto(`${demo.url}/embed`);
    await expect(page.locator('[data-testid="webview"]').textContent()).resolves.toContain('react-native');
    await page.click('button:has-text("email code")');
    // The embed page has no mailbox panel: read the same dev outbox through the bank's helper.
    await answerWithCode(page, 'email_otp', () =>
      page.evaluate(async () => {
        const { messages } = (await (await fetch('/api/demo/mailbox')).json()) as {
          messages: { code?: string }[];
        };
        return messages.filter((m) => m.code).at(-1)?.code ?? '';
      }),
    );
    await page.locator('[data-testid="embed-result"] .verdict[data-status="ok"]').waitFor();
    await screenshot(page, 'embed');
    const types = await page.evaluate(() =>
      (window as unknown as { __sent: string[] }).__sent.map((m) => (JSON.parse(m) as { type: string }).type),
    );
    expect(types).toEqual(['challenge_started', 'challenge_completed']);
    await context.close();
  });

  // Alice (the admin) enrolls an authenticator app, pays with it, and later adds a passkey and
  // changes Bob's role with it (README "A five-minute tour", steps 3–5).
  let aliceSecret = '';
  /** The last TOTP time step Alice's app code was accepted for (each step is accepted once, S6). */
  let aliceLastStep = 0;

  it('S31: Alice adds an authenticator app after confirming with an email code', async () => {
    const { context, page } = await signedIn(browser, demo.url, 'alice');
    await page.goto(`${demo.url}/#security`);
    await page.click('#add-factor');
    await answerWithCode(page, 'email_otp', () => nextMailCode(page));
    const enroll = page.locator('step-up-enroll');
    await enroll.locator('[part~="add-totp"]').click();
    const shown = enroll.locator('[part~="secret"] code');
    await shown.waitFor();
    await screenshot(page, 'enroll-totp');
    aliceSecret = ((await shown.textContent()) ?? '').replace(/\s/g, '');
    const enrolledAt = Date.now();
    aliceLastStep = Math.floor(enrolledAt / 30_000);
    await enroll.locator('[part~="input"]').fill(totpCode(aliceSecret, enrolledAt));
    await enroll.locator('[part~="submit"]').click();
    await page
      .locator('[data-testid="factors"] li[data-method="totp"]', { hasText: 'Authenticator app' })
      .waitFor();
    await context.close();
  });

  it('Alice pays a large transfer with a TOTP code', async () => {
    expect(aliceSecret).not.toBe('');
    const { context, page } = await signedIn(browser, demo.url, 'alice');
    await page.fill('#amount', '20000');
    await page.fill('#payee', 'Notaire Lefèvre');
    await page.click('#send');
    // The code used at enrollment is spent: answer with the next time step's code.
    await answerWithCode(page, 'totp', async () => {
      await screenshot(page, 'large-transfer-totp');
      aliceLastStep = Math.max(Math.floor(Date.now() / 30_000), aliceLastStep + 1);
      return totpCode(aliceSecret, aliceLastStep * 30_000);
    });
    await page.locator('[data-testid="transfer-result"] .verdict[data-status="ok"]').waitFor();
    await context.close();
  });

  it('Carol (a teller) adds a passkey after confirming with her authenticator app (S31), then pays a large transfer with it (CDP virtual authenticator); she has no Roles page', async () => {
    const { context, page } = await signedIn(browser, demo.url, 'carol');
    await addVirtualAuthenticator(context, page);
    await expect(page.locator('nav a[href="#roles"]').count()).resolves.toBe(0);
    await page.goto(`${demo.url}/#security`);
    await page.click('#add-factor');
    // Her strongest factor is the authenticator app seeded at start; the next step's code is fresh.
    const seeded = demo.seed.totp.carol ?? '';
    await answerWithCode(page, 'totp', async () => totpCode(seeded, Date.now(), 1));
    const enroll = page.locator('step-up-enroll');
    await enroll.locator('[part~="add-passkey"]').click();
    await enroll.locator('[part~="input"]').fill('This laptop');
    await enroll.locator('[part~="submit"]').click();
    await page
      .locator('[data-testid="factors"] li[data-method="webauthn"]', { hasText: 'Security key or passkey' })
      .waitFor();
    await screenshot(page, 'security');

    await page.goto(`${demo.url}/#account`);
    await page.fill('#amount', '15000');
    await page.fill('#payee', 'Concession Auto');
    await page.click('#send');
    const dialog = page.locator('step-up-challenge');
    await dialog.locator('[part~="method-button"][data-method="webauthn"]').click();
    await dialog.locator('[part~="webauthn"] [part~="submit"]').click();
    await page.locator('[data-testid="transfer-result"] .verdict[data-status="ok"]').waitFor();
    await context.close();
  });

  it('S23: Bob (a customer) cannot change a role, even with a valid step-up: authorization comes first (issue 15)', async () => {
    const { context, page } = await signedIn(browser, demo.url, 'bob');
    await addVirtualAuthenticator(context, page);
    // No Roles page for him: no link, and #roles shows his account.
    await expect(page.locator('nav a[href="#roles"]').count()).resolves.toBe(0);
    await page.goto(`${demo.url}/#roles`);
    await page.locator('#view-account').waitFor();
    await expect(page.locator('#view-roles').count()).resolves.toBe(0);

    // Bob adds a passkey (confirming with his email code), so he can pass the aal3 step-up.
    await page.goto(`${demo.url}/#security`);
    await page.click('#add-factor');
    await answerWithCode(page, 'email_otp', () => nextMailCode(page));
    const enroll = page.locator('step-up-enroll');
    await enroll.locator('[part~="add-passkey"]').click();
    await enroll.locator('[part~="submit"]').click();
    await page
      .locator('[data-testid="factors"] li[data-method="webauthn"]', { hasText: 'Security key or passkey' })
      .waitFor();

    // A valid step-up for "make Bob an admin", as the guard would ask for it on his session: the
    // service's own challenge, run by the page's widget through the bank's proxy.
    const stepgate = createStepgate({ serviceUrl: demo.service.url, apiKey: demo.service.apiKey });
    const sessionId = (await context.cookies()).find((c) => c.name === SESSION_COOKIE)?.value ?? '';
    const change = { userId: 'bob', role: 'admin' };
    const input = {
      subject: { id: 'bob', sessionId, acr: 'aal1', roles: ['customer'] },
      action: { name: 'iam.role.change' },
      resource: { type: 'user', id: 'bob' },
      transaction: change,
    };
    const asked = await stepgate.decide(input);
    expect(asked.decision).toBe('step_up');
    const challengeId = asked.challenge?.id ?? '';
    const pending = page.evaluate(
      async (challenge) => {
        const el = document.querySelector('step-up-challenge') as unknown as {
          stepUp(c: unknown): Promise<{ token: string }>;
        };
        return (await el.stepUp(challenge)).token;
      },
      {
        challengeId,
        challengeUrl: `${demo.url}/stepgate/v1/challenges/${challengeId}`,
        acr: asked.requirement?.acr ?? '',
        methods: asked.challenge?.methods ?? [],
        expiresAt: asked.challenge?.expiresAt ?? '',
      },
    );
    const dialog = page.locator('step-up-challenge');
    const picker = dialog.locator('[part~="method-button"][data-method="webauthn"]');
    const run = dialog.locator('[part~="webauthn"] [part~="submit"]');
    await Promise.race([picker.waitFor(), run.waitFor()]);
    if (await picker.isVisible()) await picker.click();
    await run.click();
    const token = await pending;
    expect(token).toMatch(/^eyJ/);

    // With that token, the bank still refuses: 403 forbidden, no challenge, nothing changed.
    const answer = await page.evaluate(
      async ({ body, token }) => {
        const res = await fetch('/api/roles', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'step-up-token': token },
          body: JSON.stringify(body),
        });
        return { status: res.status, challenge: res.headers.get('www-authenticate'), body: await res.json() };
      },
      { body: change, token },
    );
    expect(answer).toMatchObject({ status: 403, challenge: null, body: { error: { code: 'forbidden' } } });
    const me = await page.evaluate(
      async () => (await (await fetch('/api/me')).json()) as { user: { role: string } },
    );
    expect(me.user.role).toBe('customer');
    // And the step-up was valid: the service itself accepts that token for exactly this request.
    expect((await stepgate.decide({ ...input, stepUpToken: token })).decision).toBe('allow');
    await context.close();
  });

  it('S31: Alice adds a passkey after confirming with her authenticator app, then changes Bob’s role with it (aal3)', async () => {
    expect(aliceSecret).not.toBe('');
    const { context, page } = await signedIn(browser, demo.url, 'alice');
    await addVirtualAuthenticator(context, page);
    await page.goto(`${demo.url}/#security`);
    await page.click('#add-factor');
    // Her strongest factor is now the app: a code for a step after the last one she used (S6),
    // once that step is within the accepted window (T−1..T+1).
    const next = aliceLastStep + 1;
    while (Math.floor(Date.now() / 30_000) + 1 < next) await new Promise((r) => setTimeout(r, 500));
    await answerWithCode(page, 'totp', async () => totpCode(aliceSecret, next * 30_000));
    aliceLastStep = next;
    const enroll = page.locator('step-up-enroll');
    await enroll.locator('[part~="add-passkey"]').click();
    await enroll.locator('[part~="input"]').fill('Work laptop');
    await enroll.locator('[part~="submit"]').click();
    await page
      .locator('[data-testid="factors"] li[data-method="webauthn"]', { hasText: 'Security key or passkey' })
      .waitFor();

    await page.goto(`${demo.url}/#roles`);
    await page.selectOption('select[data-user="bob"]', 'teller');
    await page.click('button[data-change="bob"]');
    const dialog = page.locator('step-up-challenge');
    const picker = dialog.locator('[part~="method-button"][data-method="webauthn"]');
    const run = dialog.locator('[part~="webauthn"] [part~="submit"]');
    await Promise.race([picker.waitFor(), run.waitFor()]);
    if (await picker.isVisible()) await picker.click();
    await screenshot(page, 'role-change-passkey');
    await run.click();
    const done = page.locator('[data-testid="role-result"] .verdict[data-status="ok"]');
    await done.waitFor();
    await expect(done.textContent()).resolves.toContain('Bob Durand is now teller');
    await context.close();
  });

  it('the audit page lists the decisions with reasons, signals and report-only outcomes, and the challenge events', async () => {
    const { context, page } = await signedIn(browser, demo.url, 'bob');
    await page.goto(`${demo.url}/#audit`);
    const table = page.locator('[data-testid="audit"]');
    await table.waitFor();
    await screenshot(page, 'audit');
    for (const outcome of ['allow', 'step_up', 'deny']) {
      await expect(
        table.locator(`tr[data-type="decision"][data-outcome="${outcome}"]`).count(),
      ).resolves.toBeGreaterThan(0);
    }
    await expect(table.locator('td.reasons', { hasText: 'tor-exit' }).count()).resolves.toBeGreaterThan(0);
    await expect(table.locator('[data-report-only="datacenter-ip"]').count()).resolves.toBeGreaterThan(0);
    await expect(
      table.locator('td.reasons', { hasText: 'privilege-escalation' }).count(),
    ).resolves.toBeGreaterThan(0);
    for (const type of ['challenge.verified', 'factor.added']) {
      await expect(table.locator(`tr[data-type="${type}"]`).count(), type).resolves.toBeGreaterThan(0);
    }
    await context.close();
  });
});
