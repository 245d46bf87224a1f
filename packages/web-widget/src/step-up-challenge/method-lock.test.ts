import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { ChallengeView } from '@stepgate/protocol';
import { HttpResponse, http } from 'msw';
import { enterCode, find, findText, q } from '../../test/helpers.js';
import { mockChallenge } from '../../test/mock-challenge.js';
import { startWorker, worker } from '../../test/msw.js';
import { assertValid } from '../../test/schemas.js';
import '../define.js';
import type { StepUpChallenge } from './step-up-challenge.js';

const inline = (info: StepUpChallenge['challenge']) =>
  fixture<StepUpChallenge>(html`<step-up-challenge inline lang="en" .challenge=${info}></step-up-challenge>`);

describe('<step-up-challenge> with a locked method (issue 19)', () => {
  before(() => startWorker());
  afterEach(() => worker.resetHandlers());

  it('a locked email method is listed disabled with the reason, sends nothing, and another method works', async () => {
    const mock = mockChallenge({
      methods: [
        { method: 'email_otp', destination: 'a***@example.com', lock: { state: 'locked' } },
        { method: 'totp' },
      ],
    });
    const el = await inline(mock.info);
    const email = await find<HTMLButtonElement>(el, '[data-method=email_otp]');
    expect(email.disabled).to.equal(true);
    expect(email.textContent).to.contain('Locked after too many attempts.');
    email.click();
    await el.updateComplete;
    expect(q(el, 'input[name=code]')).to.equal(null);
    (await find(el, '[data-method=totp]')).click();
    await enterCode(el, '123456');
    await waitUntil(() => mock.requests.some((r) => r.path === 'verify'), 'no verify');
    expect(mock.requests.map((r) => r.body.method)).to.deep.equal(['totp']);
    expect(mock.sent).to.deep.equal([]);
  });

  it('a lone method in its back-off is not started: the dialog says until when, and that nothing else is available', async () => {
    const until = new Date(Date.now() + 10 * 60_000);
    const mock = mockChallenge({
      methods: [
        {
          method: 'email_otp',
          destination: 'a***@example.com',
          lock: { state: 'waiting', until: until.toISOString() },
        },
      ],
    });
    const el = await inline(mock.info);
    const time = new Intl.DateTimeFormat('en', { timeStyle: 'short' }).format(until);
    await findText(el, '[part~=method-lock]', `Too many attempts. Try again after ${time}.`);
    await findText(el, '[part~=all-locked]', 'No way to confirm is available right now.');
    await new Promise((r) => setTimeout(r, 300));
    expect(mock.sent).to.deep.equal([]);
    expect(mock.requests).to.deep.equal([]);
    expect(q(el, '[part~=error]')!.textContent).to.equal('');
  });

  it('a wrong code that locks the method brings the picker back with the method disabled', async () => {
    const mock = mockChallenge({
      methods: [{ method: 'totp' }, { method: 'sms_otp', destination: '•••• 12' }],
    });
    const el = await inline(mock.info);
    (await find(el, '[data-method=totp]')).click();
    const locked: ChallengeView = {
      id: mock.info.challengeId,
      status: 'pending',
      action: 'payments.transfer',
      level: 'aal2',
      acr: 'urn:stepgate:aal2',
      methods: [
        { method: 'totp', lock: { state: 'locked' } },
        { method: 'sms_otp', destination: '•••• 12' },
      ],
      attemptsLeft: 4,
      expiresAt: mock.info.expiresAt,
    };
    worker.use(http.get(mock.url, () => HttpResponse.json(assertValid('challengeView', locked))));
    await enterCode(el, '000000');
    const totp = await find<HTMLButtonElement>(el, '[data-method=totp]');
    expect(totp.disabled).to.equal(true);
    expect(totp.textContent).to.contain('Locked after too many attempts.');
    expect(q<HTMLButtonElement>(el, '[data-method=sms_otp]')!.disabled).to.equal(false);
    expect(q(el, '[part~=error]')!.textContent).to.contain('4 attempts left');
  });
});
