import { expect, fixture, html } from '@open-wc/testing';
import { HttpResponse, http } from 'msw';
import { enterCode, find, findText, nextEvent, q } from '../../test/helpers.js';
import { mockChallenge } from '../../test/mock-challenge.js';
import { startWorker, worker } from '../../test/msw.js';
import '../define.js';
import type { StepUpError } from '@stepgate/sdk-core';
import type { StepUpChallenge } from './step-up-challenge.js';

async function inline(info: StepUpChallenge['challenge']): Promise<StepUpChallenge> {
  return fixture<StepUpChallenge>(
    html`<step-up-challenge inline lang="en" .challenge=${info}></step-up-challenge>`,
  );
}

describe('<step-up-challenge>', () => {
  before(() => startWorker());
  afterEach(() => worker.resetHandlers());

  it("S18: shows the server's copy of the transaction and the action's label, never its id (issue 19)", async () => {
    const mock = mockChallenge({
      actionLabel: { en: 'Transfer money', fr: 'Virement' },
      transaction: { amount: 12500, currency: 'EUR', payee: 'ACME Ltd', payeeIban: 'FR76 3000' },
    });
    const el = await inline(mock.info);
    await find(el, '[part~=transaction]');
    expect(q(el, '[part~=action]')!.textContent).to.equal('Transfer money');
    expect(q(el, '[part~=amount]')!.textContent).to.equal('€12,500.00');
    const rows = [...el.shadowRoot!.querySelectorAll('dl > div')].map((d) => d.textContent?.trim());
    expect(rows).to.deep.equal(['PayeeACME Ltd', 'Payee ibanFR76 3000']);
    expect(el.shadowRoot!.textContent).not.to.contain('payments.transfer');
    el.lang = 'fr';
    await el.updateComplete;
    expect(q(el, '[part~=action]')!.textContent).to.equal('Virement');
  });

  it('without a label the action is not named at all (the raw id never reaches the user)', async () => {
    const mock = mockChallenge({ action: 'iam.role.change', transaction: { userId: 'bob', role: 'admin' } });
    const el = await inline(mock.info);
    await find(el, '[part~=transaction]');
    expect(q(el, '[part~=action]')).to.equal(null);
    const text = el.shadowRoot!.textContent ?? '';
    expect(text).not.to.contain('iam.role.change');
    expect(text).not.to.contain('userId');
    expect(text).not.to.contain('urn:stepgate');
    expect([...el.shadowRoot!.querySelectorAll('dt')].map((d) => d.textContent)).to.deep.equal([
      'User',
      'Role',
    ]);
  });

  it('refuses a challengeUrl on another origin: origin_not_allowed, nothing sent there, only Close (issue 15)', async () => {
    const sent: string[] = [];
    const mock = mockChallenge({ base: 'https://evil.example/stepgate' });
    // Registered last, so it sees every request to that origin first (and falls through).
    worker.use(
      http.all('https://evil.example/*', ({ request }) => {
        sent.push(request.url);
      }),
    );
    const el = document.createElement('step-up-challenge') as StepUpChallenge;
    el.lang = 'en';
    const failed = nextEvent(el, 'step-up-error');
    const outcome = el.stepUp(mock.info).catch((e: unknown) => e);
    document.body.append(el);
    try {
      const { error } = await failed;
      expect(error.code).to.equal('origin_not_allowed');
      (await findText(el, '[part~=cancel]', 'Close')).click();
      const rejected = (await outcome) as StepUpError;
      expect([rejected.code, (rejected.cause as { code?: string }).code]).to.deep.equal([
        'failed',
        'origin_not_allowed',
      ]);
      expect(sent).to.deep.equal([]);
      expect(q(el, 'input[name=code]')).to.equal(null);
    } finally {
      el.remove();
    }
  });

  it('runs a challenge on an origin named in allowed-origins (issue 15)', async () => {
    const mock = mockChallenge({ base: 'https://auth.example.test/stepgate' });
    const el = await fixture<StepUpChallenge>(
      html`<step-up-challenge inline lang="en" allowed-origins="https://auth.example.test  https://other.example.test" .challenge=${mock.info}></step-up-challenge>`,
    );
    expect(el.allowedOrigins).to.deep.equal(['https://auth.example.test', 'https://other.example.test']);
    const done = nextEvent(el, 'step-up-complete');
    await enterCode(el, '123456');
    expect((await done).answer.token).to.match(/^eyJ/);
    expect(mock.requests.map((r) => r.path)).to.deep.equal(['verify']);
  });

  it('loads from service-url + challenge-id attributes', async () => {
    const mock = mockChallenge();
    const base = mock.url.slice(0, mock.url.indexOf('/v1/'));
    const el = await fixture<StepUpChallenge>(
      html`<step-up-challenge inline service-url=${base} challenge-id=${mock.info.challengeId}></step-up-challenge>`,
    );
    expect(el.resolvedUrl).to.equal(mock.url);
    await find(el, 'input[name=code]');
  });

  it('header and footer slots take page content', async () => {
    const mock = mockChallenge();
    const el = await fixture<StepUpChallenge>(
      html`<step-up-challenge inline .challenge=${mock.info}
        ><img slot="header" alt="Acme Bank" src="data:," /><a slot="footer" href="/help">Help</a></step-up-challenge
      >`,
    );
    const slot = (name: string) => q<HTMLSlotElement>(el, `slot[name=${name}]`)!.assignedElements();
    expect(slot('header').map((e) => e.getAttribute('alt'))).to.deep.equal(['Acme Bank']);
    expect(slot('footer').map((e) => e.textContent)).to.deep.equal(['Help']);
  });

  it('TOTP: one numeric field with autocomplete="one-time-code"; the right code completes with the token', async () => {
    const mock = mockChallenge();
    const el = await inline(mock.info);
    const input = await find<HTMLInputElement>(el, 'input[name=code]');
    expect(input.getAttribute('inputmode')).to.equal('numeric');
    expect(input.getAttribute('autocomplete')).to.equal('one-time-code');
    expect(el.shadowRoot!.querySelectorAll('input[name=code]')).to.have.length(1);
    expect(input.labels?.[0]?.textContent).to.contain('authenticator app');
    const done = nextEvent(el, 'step-up-complete');
    await enterCode(el, '123456');
    const event = await done;
    expect(event.answer.token).to.match(/^eyJ/);
    expect(event.method).to.equal('totp');
    expect(mock.requests.at(-1)).to.deep.equal({ path: 'verify', body: { method: 'totp', code: '123456' } });
    await findText(el, '[part~=success]', 'Confirmed');
  });

  it('TOTP: pasting a whole code submits it', async () => {
    const mock = mockChallenge();
    const el = await inline(mock.info);
    const input = await find<HTMLInputElement>(el, 'input[name=code]');
    const clipboardData = new DataTransfer();
    clipboardData.setData('text', '123 456');
    const done = nextEvent(el, 'step-up-complete');
    input.dispatchEvent(new ClipboardEvent('paste', { clipboardData, bubbles: true, cancelable: true }));
    expect((await done).answer.token).to.be.a('string');
  });

  it('S10: a wrong code says how many attempts are left in a live region, nothing more', async () => {
    const mock = mockChallenge({ attemptsLeft: 3 });
    const el = await inline(mock.info);
    const failed = nextEvent(el, 'step-up-error');
    await enterCode(el, '000000');
    const { error } = await failed;
    expect(error.code).to.equal('challenge_failed');
    expect(error.attemptsLeft).to.equal(2);
    const region = await findText(el, '[part~=error]', '2 attempts left');
    expect(region.getAttribute('role')).to.equal('alert');
    expect(q<HTMLInputElement>(el, 'input[name=code]')!.value).to.equal('');
    const done = nextEvent(el, 'step-up-complete');
    await enterCode(el, '123456');
    await done;
    expect(q(el, '[part~=error]')!.textContent).to.equal('');
  });

  it('locks after the last attempt and offers only Close', async () => {
    const mock = mockChallenge({ attemptsLeft: 1 });
    const el = await inline(mock.info);
    const failed = nextEvent(el, 'step-up-error');
    await enterCode(el, '000000');
    expect((await failed).error.code).to.equal('locked');
    await findText(el, '[part~=error]', 'Too many attempts');
    expect(q(el, 'input[name=code]')).to.equal(null);
    expect(q(el, '[part~=cancel]')!.textContent).to.contain('Close');
  });

  it('a challenge the service reports as failed opens locked', async () => {
    const mock = mockChallenge({ status: 'failed', attemptsLeft: 0 });
    const el = await inline(mock.info);
    await findText(el, '[part~=error]', 'Too many attempts');
  });

  it('counts down to the expiry, then ends the challenge', async () => {
    const mock = mockChallenge({ expiresInMs: 2500 });
    const el = await inline(mock.info);
    const expiry = await find(el, '[part~=expiry]');
    expect(expiry.textContent).to.match(/Expires in 0:0[1-3]/);
    const { error } = await nextEvent(el, 'step-up-error');
    expect(error.code).to.equal('expired');
    await findText(el, '[part~=error]', 'expired');
    expect(q(el, 'input[name=code]')).to.equal(null);
  });

  it('a service that cannot be reached shows the error and a retry that works', async () => {
    const mock = mockChallenge();
    worker.use(http.get(mock.url, () => HttpResponse.error(), { once: true }));
    const el = await inline(mock.info);
    const retry = await find(el, '[part~=retry]');
    await findText(el, '[part~=error]', 'could not be reached');
    retry.click();
    await find(el, 'input[name=code]');
  });

  it('picks among the allowed methods and fires step-up-method-change', async () => {
    const mock = mockChallenge({ methods: [{ method: 'totp' }, { method: 'webauthn' }] });
    const el = await inline(mock.info);
    await find(el, '[part~=methods]');
    const buttons = [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part~=method-button]')];
    expect(buttons.map((b) => b.textContent?.trim())).to.deep.equal([
      'Authenticator app',
      'Security key or passkey',
    ]);
    const change = nextEvent(el, 'step-up-method-change');
    buttons[0]!.click();
    expect((await change).method).to.equal('totp');
    await find(el, 'input[name=code]');
    (await find(el, '[part~=switch]')).click();
    await find(el, '[part~=methods]');
  });
});
