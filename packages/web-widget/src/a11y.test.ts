import { expect, fixture, html } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import { enterCode, find, findText, nextEvent, q } from '../test/helpers.js';
import { mockChallenge } from '../test/mock-challenge.js';
import { mockEnrollment } from '../test/mock-enrollment.js';
import { startWorker, worker } from '../test/msw.js';
import './define.js';
import './enroll/define.js';
import type { StepUpEnroll } from './enroll/step-up-enroll.js';
import './i18n/add-fr.js';
import type { StepUpChallenge } from './step-up-challenge/step-up-challenge.js';

const cases = [
  { lang: 'en', theme: 'light', title: 'Confirm it’s you', cancel: 'Cancel' },
  { lang: 'fr', theme: 'light', title: 'Confirmez votre identité', cancel: 'Annuler' },
  { lang: 'en', theme: 'dark', title: 'Confirm it’s you', cancel: 'Cancel' },
  { lang: 'fr', theme: 'dark', title: 'Confirmez votre identité', cancel: 'Annuler' },
] as const;

const background = (el: Element) => getComputedStyle(q(el, '[part~=base]')!).backgroundColor;

describe('accessibility (axe) in both languages and both colour schemes', () => {
  before(() => startWorker());
  afterEach(async () => {
    worker.resetHandlers();
    await emulateMedia({ colorScheme: 'light' });
  });

  for (const c of cases) {
    it(`challenge, ${c.lang}, ${c.theme}: the method picker and a failed code pass axe, with real labels`, async () => {
      const mock = mockChallenge({
        methods: [{ method: 'totp' }, { method: 'email_otp', destination: 'j***@example.com' }],
        transaction: { amount: 250, currency: 'EUR', payee: 'ACME' },
      });
      const el = await fixture<StepUpChallenge>(
        html`<step-up-challenge lang=${c.lang} theme=${c.theme}></step-up-challenge>`,
      );
      void el.stepUp(mock.info).catch(() => undefined);
      await find(el, '[part~=method-button]');
      expect(q(el, '[part~=title]')!.textContent).to.equal(c.title);
      expect(q(el, '[part~=cancel]')!.textContent!.trim()).to.equal(c.cancel);
      expect(background(el)).to.equal(c.theme === 'dark' ? 'rgb(23, 24, 28)' : 'rgb(255, 255, 255)');
      await expect(el).to.be.accessible();
      (q(el, '[data-method=totp]') as HTMLButtonElement).click();
      const failed = nextEvent(el, 'step-up-error');
      await enterCode(el, '000000');
      await failed;
      await find(el, '[part~=error]:not(:empty)');
      const input = q<HTMLInputElement>(el, 'input[name=code]')!;
      expect(input.labels).to.have.length(1);
      expect(input.getAttribute('aria-describedby')).to.equal('error');
      await expect(el).to.be.accessible();
      el.cancel();
    });
  }

  for (const theme of ['light', 'dark'] as const) {
    it(`challenge, ${theme}: the redesigned states pass axe (label and amount, locked methods, all locked, success)`, async () => {
      const mock = mockChallenge({
        actionLabel: { en: 'Transfer money' },
        transaction: { amount: 1250.5, currency: 'EUR', payee: 'Garage Dupont' },
        methods: [
          { method: 'email_otp', destination: 'j***@example.com', lock: { state: 'locked' } },
          { method: 'totp' },
        ],
      });
      const el = await fixture<StepUpChallenge>(
        html`<step-up-challenge inline lang="en" theme=${theme} .challenge=${mock.info}><span slot="brand">Acme Bank</span></step-up-challenge>`,
      );
      await find(el, '[part~=method-lock]');
      await expect(el).to.be.accessible();
      (q(el, '[data-method=totp]') as HTMLButtonElement).click();
      const done = nextEvent(el, 'step-up-complete');
      await enterCode(el, '123456');
      await done;
      await find(el, '[part~=success]');
      await expect(el).to.be.accessible();
      const none = mockChallenge({
        methods: [
          { method: 'totp', lock: { state: 'waiting', until: new Date(Date.now() + 60_000).toISOString() } },
        ],
      });
      const locked = await fixture<StepUpChallenge>(
        html`<step-up-challenge inline lang="en" theme=${theme} .challenge=${none.info}></step-up-challenge>`,
      );
      await find(locked, '[part~=all-locked]');
      await expect(locked).to.be.accessible();
    });
  }

  it('prefers-color-scheme: dark switches the default theme; theme="light" overrides it', async () => {
    await emulateMedia({ colorScheme: 'dark' });
    const mock = mockChallenge();
    const el = await fixture<StepUpChallenge>(
      html`<step-up-challenge inline .challenge=${mock.info}></step-up-challenge>`,
    );
    await find(el, 'input[name=code]');
    expect(background(el)).to.equal('rgb(23, 24, 28)');
    await expect(el).to.be.accessible();
    el.theme = 'light';
    await el.updateComplete;
    expect(background(el)).to.equal('rgb(255, 255, 255)');
  });

  it('--stepgate-* custom properties restyle the panel', async () => {
    const mock = mockChallenge();
    const el = await fixture<StepUpChallenge>(
      html`<step-up-challenge inline style="--stepgate-bg: rgb(1, 2, 3)" .challenge=${mock.info}></step-up-challenge>`,
    );
    await find(el, 'input[name=code]');
    expect(background(el)).to.equal('rgb(1, 2, 3)');
  });

  for (const c of cases) {
    it(`enroll, ${c.lang}, ${c.theme}: the factor list and the TOTP setup pass axe`, async () => {
      const mock = mockEnrollment({
        factors: [
          {
            id: 'fac_1',
            method: 'totp',
            label: 'Phone',
            maxLevel: 'aal2',
            createdAt: '2026-01-01T00:00:00Z',
          },
        ],
      });
      const el = await fixture<StepUpEnroll>(
        html`<step-up-enroll lang=${c.lang} theme=${c.theme} enrollment-url=${mock.url}></step-up-enroll>`,
      );
      await find(el, '[part~=add-totp]');
      await expect(el).to.be.accessible();
      (q(el, '[part~=add-totp]') as HTMLButtonElement).click();
      await find(el, '[part~=qr]');
      await findText(el, '[part~=label]', c.lang === 'fr' ? 'Code de l’application' : 'Code from the app');
      await expect(el).to.be.accessible();
    });
  }
});
