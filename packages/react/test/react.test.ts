/**
 * @stepgate/react in Chromium with React 19 (StrictMode), against the real decision service behind
 * a node-client guarded app (tools/test-kit): the README's example as written, then the
 * components' props and events and useStepUp()'s retry, cancel and unmount. A transfer over
 * 1000 € steps up with an email code (the sample policy).
 */
import { answerEmailCode, type SampleApp, sampleSuite, startSampleApp } from '@stepgate/tools/test-kit';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { PageLog } from './app/test-app.js';
import { buildPage, pageHtml, readmeExample } from './build-page.js';

const html = { body: pageHtml, type: 'text/html; charset=utf-8' };
const js = (body: string) => ({ body, type: 'text/javascript; charset=utf-8' });

const suite = sampleSuite(async (sample) => {
  const [readmeJs, testJs] = await Promise.all([
    buildPage({ readme: readmeExample() }),
    buildPage('test-app'),
  ]);
  const app = (body: string) =>
    startSampleApp({
      sample,
      files: new Map([
        ['/index.html', html],
        ['/app.js', js(body)],
      ]),
    });
  return [await app(readmeJs), await app(testJs)];
}, 120_000);
/** The README's example as written, and the app of the components' tests. */
const readmeApp = (): SampleApp => suite.apps[0]!;
const testApp = (): SampleApp => suite.apps[1]!;

/** The test app's <StepUpEnroll> asks for an unknown ticket on purpose (its onStepUpError test). */
const ENROLL_404 = '404 GET /stepgate/v1/enrollments/enr_unknownTicketForTheTest';

/** What went wrong in the test app's page, besides its deliberate enrollment 404. */
const unexpected = (problems: string[]) => problems.filter((p) => p !== ENROLL_404);

const log = (page: Page) => page.evaluate(() => window.log as PageLog);

describe('README example (extracted from packages/react/README.md)', () => {
  it('sends 1500 € to Bob after the step-up: <StepUpChallenge> runs the email code, useStepUp() retries with the Step-Up-Token (S23, S26)', async () => {
    const { page, problems } = await suite.open(readmeApp());
    const seen = (await suite.sample.codes()).length;
    await page.getByRole('button', { name: 'Send 1500 € to Bob' }).click();
    await answerEmailCode(page, suite.sample, seen);
    await expect.poll(() => page.locator('output').textContent()).toBe('Transfer sent.');
    expect(readmeApp().transfers).toEqual([{ amount: 1500, payee: 'Bob', steppedUp: true }]);
    expect(problems).toEqual([]);
  });
});

describe('<StepUpChallenge> and <StepUpEnroll> (@lit/react)', () => {
  it('sets object and boolean props as element properties (messages, rememberDevice, theme) and renders one element of each tag', async () => {
    const { page, problems } = await suite.open(testApp());
    await page.locator('step-up-challenge').waitFor({ state: 'attached' });
    const state = await page.evaluate(() => {
      const challenge = document.querySelector('step-up-challenge')!;
      const enroll = document.querySelector('step-up-enroll')!;
      return {
        counts: [
          document.querySelectorAll('step-up-challenge').length,
          document.querySelectorAll('step-up-enroll').length,
        ],
        defined: [!!customElements.get('step-up-challenge'), !!customElements.get('step-up-enroll')],
        messages: challenge.messages,
        rememberDevice: challenge.rememberDevice,
        theme: challenge.theme,
        serviceUrl: enroll.serviceUrl,
        ticket: enroll.ticket,
      };
    });
    expect(state).toEqual({
      counts: [1, 1],
      defined: [true, true],
      messages: { cancel: 'Not now' },
      rememberDevice: true,
      theme: 'dark',
      serviceUrl: '/stepgate',
      ticket: 'enr_unknownTicketForTheTest',
    });
    // onStepUpError of <StepUpEnroll>: the unknown ticket fails through the proxy.
    await expect
      .poll(async () => (await log(page)).events.some((e) => e.startsWith('enroll-error ')))
      .toBe(true);
    expect(problems).toEqual([ENROLL_404]);
  });
});

describe('useStepUp()', () => {
  it('a fetcher that returns the 401 Response: step-up, then one retry with Step-Up-Token; typed receipt; onStepUpComplete fired (S26)', async () => {
    const { page, problems } = await suite.open(testApp());
    const before = testApp().transfers.length;
    const seen = (await suite.sample.codes()).length;
    await page.locator('#send-returning').click();
    await answerEmailCode(page, suite.sample, seen);
    await expect.poll(() => page.locator('#result').textContent()).toBe('sent 1500 to Bob');
    const { attempts, events } = await log(page);
    expect(attempts).toEqual([
      { retry: false, hasToken: false, hasContext: true },
      { retry: true, hasToken: true, hasContext: true },
    ]);
    expect(events.filter((e) => e.startsWith('complete'))).toEqual(['complete email_otp urn:stepgate:aal1']);
    expect(testApp().transfers.slice(before)).toEqual([{ amount: 1500, payee: 'Bob', steppedUp: true }]);
    expect(unexpected(problems)).toEqual([]);
  });

  it('a fetcher that throws an error carrying the Response (ky HTTPError shape) steps up and retries the same way', async () => {
    const { page, problems } = await suite.open(testApp());
    const before = testApp().transfers.length;
    const seen = (await suite.sample.codes()).length;
    await page.locator('#amount').fill('2500');
    await page.locator('#send-throwing').click();
    await answerEmailCode(page, suite.sample, seen);
    await expect.poll(() => page.locator('#result').textContent()).toBe('sent 2500 to Bob');
    expect((await log(page)).attempts.map((a) => a.retry)).toEqual([false, true]);
    expect(testApp().transfers.slice(before)).toEqual([{ amount: 2500, payee: 'Bob', steppedUp: true }]);
    expect(unexpected(problems)).toEqual([]);
  });

  it('a transfer the policy allows runs once, without a dialog or a token', async () => {
    const { page, problems } = await suite.open(testApp());
    const before = testApp().transfers.length;
    await page.locator('#amount').fill('200');
    await page.locator('#send-returning').click();
    await expect.poll(() => page.locator('#result').textContent()).toBe('sent 200 to Bob');
    expect((await log(page)).attempts).toEqual([{ retry: false, hasToken: false, hasContext: true }]);
    expect(testApp().transfers.slice(before)).toEqual([{ amount: 200, payee: 'Bob', steppedUp: false }]);
    expect(await page.locator('step-up-challenge [part~="input"]').count()).toBe(0);
    expect(unexpected(problems)).toEqual([]);
  });

  it('Cancel rejects the wrapped call with StepUpCancelledError (code cancelled), onStepUpCancel fires, and the route never runs (S26)', async () => {
    const { page, problems } = await suite.open(testApp());
    const before = testApp().transfers.length;
    await page.locator('#send-returning').click();
    await page.locator('step-up-challenge [part~="cancel"]').click();
    await expect.poll(() => page.locator('#result').textContent()).toBe('StepUpError cancelled');
    expect((await log(page)).events).toContain('cancel true');
    expect((await log(page)).attempts).toHaveLength(1);
    expect(testApp().transfers.length).toBe(before);
    expect(unexpected(problems)).toEqual([]);
  });

  it('unmounting the calling component aborts the pending step-up: the dialog closes and the route never runs', async () => {
    const { page, problems } = await suite.open(testApp());
    const before = testApp().transfers.length;
    await page.locator('#send-returning').click();
    await page.locator('step-up-challenge [part~="input"]').waitFor();
    // The modal dialog covers the page: the app unmounts the caller itself (a route change, say).
    await page.evaluate(() => document.querySelector<HTMLButtonElement>('#unmount')!.click());
    await page.locator('step-up-challenge [part~="input"]').waitFor({ state: 'hidden' });
    expect(await page.locator('#send-returning').count()).toBe(0);
    expect((await log(page)).attempts).toHaveLength(1);
    expect(testApp().transfers.length).toBe(before);
    expect(unexpected(problems)).toEqual([]);
  });
});
