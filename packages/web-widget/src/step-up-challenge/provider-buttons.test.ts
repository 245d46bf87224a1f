import { expect } from '@open-wc/testing';
import type { ProviderStepUp } from '@stepgate/protocol';
import { setIdpStepUpHandler } from '@stepgate/sdk-core';
import { find, q } from '../../test/helpers.js';
import { mockChallenge } from '../../test/mock-challenge.js';
import { startWorker, worker } from '../../test/msw.js';
import '../define.js';
import type { StepUpChallenge } from './step-up-challenge.js';

const provider: ProviderStepUp = {
  performer: 'idp:corp',
  name: 'Corp SSO',
  issuer: 'https://login.example.com',
  authorizationEndpoint: 'https://login.example.com/authorize',
  params: { client_id: 'app', response_type: 'code', scope: 'openid', claims: '{}', nonce: 'n1' },
  expiresAt: new Date(Date.now() + 300_000).toISOString(),
};

describe('<step-up-challenge>: continue with an identity provider (issue 21)', () => {
  before(() => startWorker());
  afterEach(() => {
    worker.resetHandlers();
    setIdpStepUpHandler(null);
    for (const e of document.querySelectorAll('step-up-challenge')) e.remove();
  });

  async function open(withHandler: boolean) {
    const mock = mockChallenge({ methods: [{ method: 'totp' }, { method: 'webauthn' }] });
    const picked: Array<{ performer: string; body: string }> = [];
    if (withHandler) {
      setIdpStepUpHandler(async (providers, { request }) => {
        picked.push({ performer: providers[0]!.performer, body: await request.text() });
        return new Promise<void>(() => {}); // a redirect: the page leaves
      });
    }
    const el = document.createElement('step-up-challenge') as StepUpChallenge;
    el.lang = 'en';
    document.body.append(el);
    const request = new Request(`${location.origin}/api/transfer`, {
      method: 'POST',
      body: '{"amount":900}',
    });
    void el.stepUp({ ...mock.info, providers: [provider] }, { request }).catch(() => undefined);
    await find(el, '[part~=method-button]');
    return { el, picked };
  }

  it('offers "Continue with <provider>" beside the methods, and hands it the request to replay', async () => {
    const { el, picked } = await open(true);
    const button = q(el, '[part~=provider-button]') as HTMLButtonElement;
    expect(button.textContent?.trim()).to.equal('Continue with Corp SSO');
    expect(button.dataset.performer).to.equal('idp:corp');
    button.click();
    await new Promise((r) => setTimeout(r, 50));
    expect(picked).to.deep.equal([{ performer: 'idp:corp', body: '{"amount":900}' }]);
  });

  it('offers no provider when the page registered no IdP handler', async () => {
    const { el } = await open(false);
    expect(q(el, '[part~=providers]')).to.equal(null);
  });
});
