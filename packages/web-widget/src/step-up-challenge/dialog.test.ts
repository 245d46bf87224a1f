import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { formatStepUpChallenge } from '@stepgate/protocol';
import { createStepUpFetch, StepUpCancelledError } from '@stepgate/sdk-core';
import { sendKeys } from '@web/test-runner-commands';
import { HttpResponse, http } from 'msw';
import { deepActive, enterCode, find, nextEvent, q } from '../../test/helpers.js';
import { mockChallenge } from '../../test/mock-challenge.js';
import { startWorker, worker } from '../../test/msw.js';
import { assertValid } from '../../test/schemas.js';
import '../define.js';
import { stepUp } from './step-up.js';
import type { StepUpChallenge } from './step-up-challenge.js';

const twoMethods = () => mockChallenge({ methods: [{ method: 'totp' }, { method: 'webauthn' }] });

describe('<step-up-challenge> as a modal dialog', () => {
  before(() => startWorker());
  afterEach(() => worker.resetHandlers());

  it('focus moves in, Tab stays inside, Escape cancels (StepUpCancelledError) and focus returns to the opener', async () => {
    const mock = twoMethods();
    const page = await fixture(
      html`<div><button id="opener">Pay</button><step-up-challenge lang="en"></step-up-challenge><button id="after">After</button></div>`,
    );
    const el = page.querySelector('step-up-challenge')!;
    const opener = page.querySelector<HTMLButtonElement>('#opener')!;
    opener.focus();
    const outcome = el.stepUp(mock.info).catch((e: unknown) => e);
    await find(el, '[part~=method-button]');
    const dialog = q<HTMLDialogElement>(el, 'dialog')!;
    expect(dialog.matches(':modal')).to.equal(true);
    await waitUntil(
      () => deepActive()?.matches('[part~=method-button]'),
      'focus did not move into the dialog',
    );
    for (let i = 0; i < 8; i += 1) {
      await sendKeys({ press: 'Tab' });
      const active = deepActive();
      expect(
        active === document.body || el.shadowRoot!.contains(active),
        `Tab ${i} left the dialog`,
      ).to.equal(true);
    }
    const cancelled = nextEvent(el, 'step-up-cancel');
    await sendKeys({ press: 'Escape' });
    expect((await cancelled).cancelable).to.equal(true);
    const error = await outcome;
    expect(error).to.be.instanceOf(StepUpCancelledError);
    expect((error as StepUpCancelledError).challengeId).to.equal(mock.info.challengeId);
    await waitUntil(() => !dialog.open, 'dialog stayed open');
    expect(el.open).to.equal(false);
    expect(document.activeElement).to.equal(opener);
  });

  it('step-up-cancel is cancelable: preventDefault keeps the dialog open', async () => {
    const mock = mockChallenge();
    const el = await fixture<StepUpChallenge>(html`<step-up-challenge lang="en"></step-up-challenge>`);
    const result = el.stepUp(mock.info);
    const cancel = await find(el, '[part~=cancel]');
    el.addEventListener('step-up-cancel', (e) => e.preventDefault(), { once: true });
    cancel.click();
    await el.updateComplete;
    expect(q<HTMLDialogElement>(el, 'dialog')!.open).to.equal(true);
    cancel.click();
    expect(await result.catch((e: unknown) => e)).to.be.instanceOf(StepUpCancelledError);
  });

  it('keyboard only: arrow-free Tab/Enter picks a method and submits a code', async () => {
    const mock = twoMethods();
    const el = await fixture<StepUpChallenge>(html`<step-up-challenge lang="en"></step-up-challenge>`);
    const result = el.stepUp(mock.info);
    await waitUntil(() => deepActive()?.matches('[data-method=totp]'), 'first method not focused');
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => deepActive()?.matches('input[name=code]'), 'code field not focused');
    await sendKeys({ type: '123456' });
    await sendKeys({ press: 'Enter' });
    expect((await result).token).to.match(/^eyJ/);
  });

  it('email code only: focus lands on the code field, so typing the code and Enter verifies (issue 19)', async () => {
    const mock = mockChallenge({ methods: [{ method: 'email_otp', destination: 'a***@example.com' }] });
    const page = await fixture(
      html`<div><button id="opener">Pay</button><step-up-challenge lang="en"></step-up-challenge></div>`,
    );
    const el = page.querySelector('step-up-challenge')!;
    page.querySelector<HTMLButtonElement>('#opener')!.focus();
    const result = el.stepUp(mock.info);
    await waitUntil(() => mock.sent.length === 1, 'no code sent');
    await waitUntil(() => deepActive()?.matches('input[name=code]'), 'code field not focused');
    let cancelled = false;
    el.addEventListener('step-up-cancel', () => (cancelled = true));
    await sendKeys({ type: '123456' });
    await sendKeys({ press: 'Enter' });
    expect((await result).token).to.match(/^eyJ/);
    expect(cancelled).to.equal(false);
  });

  it('stepUp() opens a temporary element, resolves with the token, and removes it', async () => {
    const mock = mockChallenge();
    const result = stepUp(mock.info);
    const el = document.querySelector('step-up-challenge')!;
    expect(el).to.not.equal(null);
    await enterCode(el, '123456');
    const answer = await result;
    expect(answer.token).to.match(/^eyJ/);
    expect(answer.acr).to.equal('urn:stepgate:aal2');
    expect(document.querySelector('step-up-challenge')).to.equal(null);
  });

  it('an abort signal closes the dialog and rejects with its reason', async () => {
    const mock = mockChallenge();
    const el = await fixture<StepUpChallenge>(html`<step-up-challenge lang="en"></step-up-challenge>`);
    const controller = new AbortController();
    const result = el.stepUp(mock.info, { signal: controller.signal });
    await find(el, 'input[name=code]');
    controller.abort(new Error('navigated away'));
    expect(((await result.catch((e: unknown) => e)) as Error).message).to.equal('navigated away');
    expect(el.open).to.equal(false);
  });
});

describe("<step-up-challenge> as sdk-core's handler", () => {
  before(() => startWorker());
  afterEach(() => worker.resetHandlers());

  it('a guarded fetch whose answer names another origin rejects with origin_not_allowed; no dialog, no request there (issue 15)', async () => {
    const mock = mockChallenge({ base: 'https://evil.example/stepgate' });
    const sent: string[] = [];
    worker.use(
      http.all('https://evil.example/*', ({ request }) => {
        sent.push(request.url);
      }),
      http.post(`${location.origin}/api/phished`, () =>
        HttpResponse.json(
          assertValid('stepUpAnswer', {
            error: { code: 'insufficient_user_authentication', message: 'Step up' },
            stepUp: mock.info,
          }),
          { status: 401 },
        ),
      ),
    );
    const page = await fixture(html`<main><step-up-challenge lang="en"></step-up-challenge></main>`);
    const el = page.querySelector('step-up-challenge')!;
    const error = await createStepUpFetch({ context: false })('/api/phished', { method: 'POST' }).then(
      (r) => `answered ${r.status}`,
      (e: unknown) => e,
    );
    expect((error as { code?: string }).code).to.equal('origin_not_allowed');
    expect(el.open).to.equal(false);
    expect(sent).to.deep.equal([]);
  });

  it('one element in the page runs the step-up of a guarded fetch; the request is retried with the token', async () => {
    const mock = mockChallenge({ transaction: { amount: 900, currency: 'EUR', payee: 'Bob' } });
    const seen: Array<string | null> = [];
    worker.use(
      http.post(`${location.origin}/api/transfer`, ({ request }) => {
        const token = request.headers.get('Step-Up-Token');
        seen.push(token);
        if (token) return HttpResponse.json({ done: true });
        const body = assertValid('stepUpAnswer', {
          error: { code: 'insufficient_user_authentication', message: 'Step up' },
          stepUp: mock.info,
        });
        const header = formatStepUpChallenge({
          acrValues: [mock.info.acr],
          maxAge: 0,
          challengeId: mock.info.challengeId,
        });
        return HttpResponse.json(body, { status: 401, headers: { 'WWW-Authenticate': header } });
      }),
    );
    const page = await fixture(html`<main><step-up-challenge lang="en"></step-up-challenge></main>`);
    const el = page.querySelector('step-up-challenge')!;
    const pending = createStepUpFetch({ context: false })('/api/transfer', {
      method: 'POST',
      body: '{"amount":900}',
    });
    await find(el, '[part~=transaction]');
    expect(q<HTMLDialogElement>(el, 'dialog')!.open).to.equal(true);
    const done = nextEvent(el, 'step-up-complete');
    await enterCode(el, '123456');
    const { answer } = await done;
    const res = await pending;
    expect(res.status).to.equal(200);
    expect(seen).to.deep.equal([null, answer.token]);
  });

  it('when the handler element leaves the page, the next one takes over; with none left, the flow has no handler', async () => {
    let mock = mockChallenge();
    worker.use(
      http.get(`${location.origin}/api/guarded`, ({ request }) =>
        request.headers.get('Step-Up-Token')
          ? HttpResponse.json({ ok: true })
          : HttpResponse.json(
              { error: { code: 'insufficient_user_authentication', message: 'Step up' }, stepUp: mock.info },
              {
                status: 401,
                headers: {
                  'WWW-Authenticate': formatStepUpChallenge({ challengeId: mock.info.challengeId }),
                },
              },
            ),
      ),
    );
    const page = await fixture(
      html`<div><step-up-challenge id="a"></step-up-challenge><step-up-challenge id="b"></step-up-challenge></div>`,
    );
    const [a, b] = [page.querySelector('#a')!, page.querySelector('#b')!];
    a.remove();
    const stepUpFetch = createStepUpFetch({ context: false, sensitive: () => true });
    const pending = stepUpFetch('/api/guarded');
    await enterCode(b, '123456');
    expect((await pending).status).to.equal(200);
    b.remove();
    mock = mockChallenge(); // a new challenge: sdk-core reuses a completed one's answer
    const error = await stepUpFetch('/api/guarded').catch((e: unknown) => e);
    expect((error as { code?: string }).code).to.equal('no_handler');
  });
});
