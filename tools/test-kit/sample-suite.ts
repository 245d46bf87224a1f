/**
 * The hooks and the two tests every framework sample shares (examples/*, packages/react): the real
 * decision service, the app(s) serving the sample's build, Chromium launched while it builds, a
 * fresh signed-in context per page, closed after each test.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { answerEmailCode, launchChromium, signedInPage } from './browser.js';
import type { SampleApp } from './sample-app.js';
import { type SampleService, startSampleService } from './sample-service.js';

/** What {@link sampleSuite} gives the tests of a file. */
export interface SampleSuite {
  /** The decision service and its dev outbox. */
  readonly sample: SampleService;
  /** The apps `start` returned, in its order; `app` is the first. */
  readonly apps: readonly SampleApp[];
  readonly app: SampleApp;
  /** A signed-in page of a fresh context on `app` (default: the first), with its problems. */
  open(app?: SampleApp): Promise<{ page: Page; problems: string[] }>;
}

/**
 * Registers the hooks of a sample's test file: `start` builds the sample and starts the app(s)
 * serving it (with {@link startSampleApp}) while Chromium launches.
 */
export function sampleSuite(
  start: (sample: SampleService) => Promise<SampleApp[]>,
  timeoutMs = 180_000,
): SampleSuite {
  let browser: Browser | undefined;
  let sample: SampleService | undefined;
  let apps: SampleApp[] = [];
  const closers: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    const launching = launchChromium();
    sample = await startSampleService();
    apps = await start(sample);
    browser = await launching;
  }, timeoutMs);
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });
  afterAll(async () => {
    await browser?.close();
    for (const app of apps) await app.close();
    await sample?.close();
  });
  return {
    get sample() {
      return sample!;
    },
    get apps() {
      return apps;
    },
    get app() {
      return apps[0]!;
    },
    async open(app = apps[0]!) {
      const { context, page, problems } = await signedInPage(browser!, app.url);
      context.setDefaultTimeout(15_000);
      closers.push(() => context.close());
      await page.goto(app.url);
      return { page, problems };
    },
  };
}

/** Where a sample shows its outcome, and how its template names the completion event. */
export interface TransferSample {
  /** The element with "Transfer sent." / "Cancelled: nothing was sent.". */
  output: string;
  /** The element with "Confirmed with email_otp." (set from the completion event). */
  confirmed: string;
  /** How the sample's template listens to step-up-complete, for the test's title. */
  event: string;
}

/**
 * The two tests every sample page passes: a transfer over 1000 € steps up with the email code and
 * is sent with the Step-Up-Token, the event reaching the framework's listener (S23, S26); Cancel
 * rejects with StepUpCancelledError and the route never runs.
 */
export function describeTransferStepUp(title: string, suite: SampleSuite, shape: TransferSample): void {
  describe(title, () => {
    it(`a transfer over 1000 € opens <step-up-challenge>; after the email code it is sent with the Step-Up-Token and ${shape.event} reached the page (S23, S26)`, async () => {
      const { page, problems } = await suite.open();
      const before = suite.app.transfers.length;
      const seen = (await suite.sample.codes()).length;
      await page.getByRole('button', { name: 'Send to Bob' }).click();
      await answerEmailCode(page, suite.sample, seen);
      await expect.poll(() => page.locator(shape.output).textContent()).toBe('Transfer sent.');
      expect(await page.locator(shape.confirmed).textContent()).toBe('Confirmed with email_otp.');
      expect(suite.app.transfers.slice(before)).toEqual([{ amount: 1500, payee: 'Bob', steppedUp: true }]);
      expect(problems).toEqual([]);
    });

    it('Cancel: the fetch wrapper rejects with StepUpCancelledError and the route never runs', async () => {
      const { page, problems } = await suite.open();
      const before = suite.app.transfers.length;
      await page.getByRole('button', { name: 'Send to Bob' }).click();
      await page.locator('step-up-challenge [part~="cancel"]').click();
      await expect.poll(() => page.locator(shape.output).textContent()).toBe('Cancelled: nothing was sent.');
      expect(suite.app.transfers.length).toBe(before);
      expect(problems).toEqual([]);
    });
  });
}
