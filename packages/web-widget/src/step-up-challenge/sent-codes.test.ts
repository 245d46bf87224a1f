import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { forgetDevice, getDeviceToken } from '@stepgate/sdk-core';
import { enterCode, find, findText, nextEvent, q } from '../../test/helpers.js';
import { mockChallenge } from '../../test/mock-challenge.js';
import { startWorker, worker } from '../../test/msw.js';
import '../define.js';
import type { StepUpChallenge } from './step-up-challenge.js';

async function inline(info: StepUpChallenge['challenge'], remember = false): Promise<StepUpChallenge> {
  return fixture<StepUpChallenge>(
    html`<step-up-challenge inline lang="en" ?remember-device=${remember} .challenge=${info}></step-up-challenge>`,
  );
}

describe('<step-up-challenge> email and SMS codes', () => {
  before(() => startWorker());
  afterEach(() => worker.resetHandlers());

  it('email: sends on pick, shows the masked destination, and resends only after the countdown', async () => {
    const mock = mockChallenge({
      methods: [{ method: 'totp' }, { method: 'email_otp', destination: 'j***@example.com' }],
      resendAfter: 2,
    });
    const el = await inline(mock.info);
    (await find(el, '[data-method=email_otp]')).click();
    await findText(el, '[part~=destination]', 'We sent a code to j***@example.com.');
    expect(mock.sent).to.have.length(1);
    const resend = await find<HTMLButtonElement>(el, '[part~=resend]');
    expect(resend.disabled).to.equal(true);
    expect(resend.textContent).to.match(/New code in [12] s/);
    await waitUntil(() => !q<HTMLButtonElement>(el, '[part~=resend]')!.disabled, 'resend never enabled', {
      timeout: 4000,
    });
    expect(q(el, '[part~=resend]')!.textContent).to.contain('Send a new code');
    q<HTMLButtonElement>(el, '[part~=resend]')!.click();
    await waitUntil(() => mock.sent.length === 2, 'no resend');
    expect(mock.requests.filter((r) => r.path === 'start').map((r) => r.body)).to.deep.equal([
      { method: 'email_otp' },
      { method: 'email_otp' },
    ]);
    const done = nextEvent(el, 'step-up-complete');
    await enterCode(el, '123456');
    expect((await done).answer.amr).to.deep.equal(['otp']);
  });

  it('SMS: WebOTP fills and submits the code where the browser offers it, with an abort signal', async () => {
    const g = globalThis as unknown as Record<string, unknown>;
    const realGet = navigator.credentials.get.bind(navigator.credentials);
    let signal: AbortSignal | undefined;
    g.OTPCredential = function OTPCredential() {};
    navigator.credentials.get = async (options?: CredentialRequestOptions) => {
      if (!(options as { otp?: unknown } | undefined)?.otp) return realGet(options);
      signal = options?.signal ?? undefined;
      return { code: '123456', id: '', type: 'otp' } as unknown as Credential;
    };
    try {
      const mock = mockChallenge({ methods: [{ method: 'sms_otp', destination: '•••• 1234' }] });
      const completed = nextEvent(document, 'step-up-complete'); // may fire before the fixture resolves
      await inline(mock.info);
      const { answer } = await completed;
      expect(answer.token).to.be.a('string');
      expect(signal).to.be.instanceOf(AbortSignal);
      expect(mock.requests.at(-1)?.body).to.deep.equal({ method: 'sms_otp', code: '123456' });
    } finally {
      delete g.OTPCredential;
      navigator.credentials.get = realGet;
    }
  });

  it('SMS: a code typed by hand stops the pending WebOTP request', async () => {
    const g = globalThis as unknown as Record<string, unknown>;
    const realGet = navigator.credentials.get.bind(navigator.credentials);
    let signal: AbortSignal | undefined;
    g.OTPCredential = function OTPCredential() {};
    navigator.credentials.get = (options?: CredentialRequestOptions) => {
      if (!(options as { otp?: unknown } | undefined)?.otp) return realGet(options);
      signal = options?.signal ?? undefined;
      return new Promise<Credential | null>(() => undefined); // the SMS never comes
    };
    try {
      const mock = mockChallenge({ methods: [{ method: 'sms_otp', destination: '•••• 1234' }] });
      const el = await inline(mock.info);
      await waitUntil(() => signal, 'WebOTP was not asked');
      expect(signal!.aborted).to.equal(false);
      const done = nextEvent(el, 'step-up-complete');
      await enterCode(el, '123456');
      await done;
      expect(signal!.aborted).to.equal(true);
    } finally {
      delete g.OTPCredential;
      navigator.credentials.get = realGet;
    }
  });

  it('SMS without WebOTP: the field takes the code by hand', async () => {
    const mock = mockChallenge({ methods: [{ method: 'sms_otp', destination: '•••• 1234' }] });
    const el = await inline(mock.info);
    await findText(el, '[part~=destination]', '•••• 1234');
    const done = nextEvent(el, 'step-up-complete');
    await enterCode(el, '123 456');
    await done;
  });

  it('"remember this device" asks for a device token and hands it to sdk-core', async () => {
    forgetDevice();
    const mock = mockChallenge({ deviceToken: 'eyJkZXZpY2UiOjF9.eyJzdWIiOiJ1In0.c2ln' });
    const el = await inline(mock.info, true);
    const box = await find<HTMLInputElement>(el, '[part~=remember] input[type=checkbox]');
    box.checked = true;
    const done = nextEvent(el, 'step-up-complete');
    await enterCode(el, '123456');
    await done;
    expect(mock.requests.at(-1)?.body).to.deep.equal({
      method: 'totp',
      code: '123456',
      rememberDevice: true,
    });
    expect(getDeviceToken()).to.equal('eyJkZXZpY2UiOjF9.eyJzdWIiOiJ1In0.c2ln');
    forgetDevice();
  });
});
