import { expect, fixture, html } from '@open-wc/testing';
import { enterCode, find, findText, nextEvent, q } from '../../test/helpers.js';
import { mockChallenge } from '../../test/mock-challenge.js';
import { mockEnrollment } from '../../test/mock-enrollment.js';
import {
  addVirtualAuthenticator,
  readClientData,
  removeVirtualAuthenticator,
  startWorker,
  worker,
} from '../../test/msw.js';
import '../define.js';
import '../enroll/define.js';
import type { StepUpEnroll } from '../enroll/step-up-enroll.js';
import type { StepUpChallenge } from './step-up-challenge.js';

const g = globalThis as unknown as Record<string, unknown>;

async function inline(info: StepUpChallenge['challenge']): Promise<StepUpChallenge> {
  return fixture<StepUpChallenge>(
    html`<step-up-challenge inline lang="en" .challenge=${info}></step-up-challenge>`,
  );
}

describe('<step-up-challenge> WebAuthn and biometric', () => {
  let authenticatorId: string | undefined;
  before(() => startWorker());
  afterEach(async () => {
    worker.resetHandlers();
    if (authenticatorId) await removeVirtualAuthenticator(authenticatorId);
    authenticatorId = undefined;
  });

  it('registers a passkey with <step-up-enroll>, then confirms a challenge with it (virtual authenticator)', async () => {
    authenticatorId = await addVirtualAuthenticator();
    const enrollment = mockEnrollment();
    const enroll = await fixture<StepUpEnroll>(
      html`<step-up-enroll lang="en" enrollment-url=${enrollment.url}></step-up-enroll>`,
    );
    (await find(enroll, '[part~=add-passkey]')).click();
    const label = await find<HTMLInputElement>(enroll, 'input[name=label]');
    label.value = 'Work laptop';
    const added = nextEvent(enroll, 'step-up-factor-added');
    label.form!.requestSubmit();
    expect((await added).factor).to.include({ method: 'webauthn', label: 'Work laptop' });
    expect(enrollment.credentialIds).to.have.length(1);

    const mock = mockChallenge({
      methods: [{ method: 'webauthn' }],
      credentialIds: () => enrollment.credentialIds,
    });
    const el = await inline(mock.info);
    const done = nextEvent(el, 'step-up-complete');
    (await find(el, '[part~=webauthn] button')).click();
    const { answer, method } = await done;
    expect(method).to.equal('webauthn');
    expect(answer.amr).to.include('user');
    const verify = mock.requests.find((r) => r.path === 'verify')!.body as {
      response: { id: string; response: { clientDataJSON: string } };
    };
    expect(verify.response.id).to.equal(enrollment.credentialIds[0]);
    expect(readClientData(verify.response.response.clientDataJSON).type).to.equal('webauthn.get');
  });

  it('biometric in a browser: the platform authenticator with user verification (virtual, internal transport)', async () => {
    authenticatorId = await addVirtualAuthenticator({ transport: 'internal', hasUserVerification: true });
    const enrollment = mockEnrollment({ methods: ['biometric'] });
    const enroll = await fixture<StepUpEnroll>(
      html`<step-up-enroll enrollment-url=${enrollment.url}></step-up-enroll>`,
    );
    (await find(enroll, '[part~=add-passkey]')).click();
    const added = nextEvent(enroll, 'step-up-factor-added');
    (await find<HTMLInputElement>(enroll, 'input[name=label]')).form!.requestSubmit();
    await added;
    const mock = mockChallenge({
      methods: [{ method: 'biometric' }],
      credentialIds: () => enrollment.credentialIds,
    });
    const el = await inline(mock.info);
    const prompt = await find(el, '[part~=webauthn]');
    expect(prompt.textContent).to.contain('fingerprint, face or screen lock');
    const done = nextEvent(el, 'step-up-complete');
    (await find(el, '[part~=webauthn] button')).click();
    expect((await done).method).to.equal('biometric');
    const verify = mock.requests.find((r) => r.path === 'verify')!.body as {
      method: string;
      response: { id: string };
    };
    expect(verify.method).to.equal('biometric');
    expect(verify.response.id).to.equal(enrollment.credentialIds[0]);
  });

  it('cancelling WebAuthn offers the other allowed methods, and one of them completes', async () => {
    authenticatorId = await addVirtualAuthenticator();
    // No credential on the authenticator matches: Chromium answers NotAllowedError, as when the user cancels.
    const mock = mockChallenge({
      methods: [{ method: 'webauthn' }, { method: 'totp' }],
      credentialIds: () => ['bm90LWEtcmVhbC1jcmVkZW50aWFs'],
    });
    const el = await inline(mock.info);
    (await find(el, '[data-method=webauthn]')).click();
    const failed = nextEvent(el, 'step-up-error');
    (await find(el, '[part~=webauthn] button')).click();
    expect((await failed).error.code).to.equal('webauthn_cancelled');
    await findText(el, '[part~=error]', 'cancelled');
    await find(el, '[data-method=totp]');
    expect(q(el, '[data-method=webauthn]'), 'retry stays possible').to.not.equal(null);
    (q(el, '[data-method=totp]') as HTMLButtonElement).click();
    const done = nextEvent(el, 'step-up-complete');
    await enterCode(el, '123456');
    expect((await done).method).to.equal('totp');
  });

  it('without WebAuthn in the browser, says so and offers the other methods', async () => {
    const saved = g.PublicKeyCredential;
    g.PublicKeyCredential = undefined;
    try {
      const mock = mockChallenge({
        methods: [{ method: 'webauthn' }, { method: 'email_otp', destination: 'a***@x.io' }],
      });
      const el = await inline(mock.info);
      (await find(el, '[data-method=webauthn]')).click();
      const failed = nextEvent(el, 'step-up-error');
      (await find(el, '[part~=webauthn] button')).click();
      expect((await failed).error.code).to.equal('webauthn_unavailable');
      await findText(el, '[part~=error]', 'cannot do that check');
      await find(el, '[data-method=email_otp]');
      expect(mock.requests, 'nothing was started').to.deep.equal([]);
    } finally {
      g.PublicKeyCredential = saved;
    }
  });

  it("biometric inside a webview without WebAuthn signs with the app's device key (sdk-core bridge)", async () => {
    const saved = g.PublicKeyCredential;
    const posted: Array<Record<string, unknown>> = [];
    g.PublicKeyCredential = undefined;
    g.ReactNativeWebView = {
      postMessage(json: string) {
        const message = JSON.parse(json) as Record<string, unknown>;
        posted.push(message);
        if (message.type !== 'sign_request') return;
        const detail = { type: 'sign_result', id: message.id, keyId: 'device-key-1', signature: 'MEUCIQ' };
        setTimeout(() => dispatchEvent(new CustomEvent('stepgate:native', { detail })), 10);
      },
    };
    try {
      const mock = mockChallenge({ methods: [{ method: 'biometric' }] });
      const el = await inline(mock.info);
      const done = nextEvent(el, 'step-up-complete');
      (await find(el, '[part~=webauthn] button')).click();
      expect((await done).method).to.equal('biometric');
      const start = mock.requests.find((r) => r.path === 'start')!;
      const verify = mock.requests.find((r) => r.path === 'verify')!;
      expect(start.body).to.deep.equal({ method: 'biometric' });
      expect(verify.body).to.deep.equal({
        method: 'biometric',
        deviceKey: { keyId: 'device-key-1', signature: 'MEUCIQ' },
      });
      expect(posted.find((m) => m.type === 'sign_request')).to.include({
        challengeId: mock.info.challengeId,
      });
    } finally {
      g.PublicKeyCredential = saved;
      delete g.ReactNativeWebView;
    }
  });
});
