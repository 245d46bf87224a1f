import { expect } from '@open-wc/testing';
import type { ProviderStepUp } from '@stepgate/protocol';
import { HttpResponse, http } from 'msw';
import { contextOf, sleep, startWorker, worker } from '../../test/fixtures.js';
import { assertValid } from '../../test/schemas.js';
import { isStepUpError, StepUpCancelledError } from '../errors.js';
import { createStepUpFetch } from './create-step-up-fetch.js';
import { setIdpStepUpHandler } from './handlers.js';
import {
  completeIdpPopup,
  completeIdpStepUp,
  createIdpPopupHandler,
  createIdpRedirectHandler,
  IDP_POPUP_CHANNEL,
  IDP_STATE_PREFIX,
} from './idp-step-up.js';

const provider: ProviderStepUp = {
  performer: 'idp:corp',
  name: 'Corp SSO',
  issuer: 'https://login.example.com',
  authorizationEndpoint: 'https://login.example.com/authorize',
  params: {
    client_id: 'bank-app',
    response_type: 'code',
    scope: 'openid',
    acr_values: 'urn:corp:mfa',
    max_age: '0',
    prompt: 'login',
    claims: '{"id_token":{"acr":{"essential":true,"values":["urn:corp:mfa"]}}}',
    nonce: '1767225600.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ',
  },
  expiresAt: new Date(Date.now() + 300_000).toISOString(),
};

/** Our 401 when only identity providers perform the step-up (schema-checked). */
function providerAnswer(): Response {
  const body = {
    error: { code: 'insufficient_user_authentication', message: 'Step up' },
    providers: [provider],
  };
  assertValid('providerStepUpAnswer', body);
  return HttpResponse.json(body, {
    status: 401,
    headers: {
      'WWW-Authenticate':
        'Bearer error="insufficient_user_authentication", acr_values="urn:corp:mfa", max_age="0"',
    },
  });
}

/** A kept step-up, as the redirect handler leaves it in sessionStorage under `state`. */
function keep(
  state: string,
  over: { redirectUri?: string; request?: { url: string; method: string; headers: [] } } = {},
) {
  sessionStorage.setItem(
    `${IDP_STATE_PREFIX}${state}`,
    JSON.stringify({
      v: 1,
      performer: 'idp:corp',
      issuer: provider.issuer,
      nonce: 'n',
      redirectUri: over.redirectUri ?? 'x',
      createdAt: Date.now(),
      returnTo: '',
      request: over.request ?? { url: '/x', method: 'GET', headers: [] },
    }),
  );
}

describe('identity-provider step-ups (issue 21, docs/idp.md)', () => {
  before(startWorker);
  afterEach(() => {
    worker.resetHandlers();
    setIdpStepUpHandler(null);
    for (const key of Object.keys(sessionStorage))
      if (key.startsWith(IDP_STATE_PREFIX)) sessionStorage.removeItem(key);
  });

  it('an answer only providers perform goes to the IdP handler with a copy of the request, then the request is retried', async () => {
    let calls = 0;
    worker.use(
      http.post('/api/payroll', async ({ request }) => {
        calls++;
        contextOf(request);
        return calls === 1 ? providerAnswer() : HttpResponse.json({ done: await request.text() });
      }),
    );
    const seen: string[] = [];
    setIdpStepUpHandler(async (providers, { request }) => {
      seen.push(providers[0]!.performer, await request.text());
    });
    const res = await createStepUpFetch()('/api/payroll', { method: 'POST', body: '{"run":7}' });
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ done: '{"run":7}' });
    expect(seen).to.deep.equal(['idp:corp', '{"run":7}']);
  });

  it('without an IdP handler the answer is returned as is (the foreign handler may take it)', async () => {
    worker.use(http.post('/api/payroll', () => providerAnswer()));
    const res = await createStepUpFetch()('/api/payroll', { method: 'POST' });
    expect(res.status).to.equal(401);
  });

  it('the redirect handler sends the user to the provider with the answer parameters, redirect_uri, state and PKCE, and keeps the request', async () => {
    let target = '';
    setIdpStepUpHandler(
      createIdpRedirectHandler({ redirectUri: '/step-up/callback', navigate: (url) => (target = url) }),
    );
    worker.use(http.post('/api/payroll', () => providerAnswer()));
    const pending = createStepUpFetch()('/api/payroll', {
      method: 'POST',
      body: '{"run":8}',
      headers: { 'x-app': '1', authorization: 'Bearer secret' },
    });
    const settled = await Promise.race([pending.then(() => 'settled'), sleep(300).then(() => 'leaving')]);
    expect(settled).to.equal('leaving'); // the page is leaving: the request never settles here
    const url = new URL(target);
    expect(url.origin + url.pathname).to.equal('https://login.example.com/authorize');
    for (const [name, value] of Object.entries(provider.params))
      expect(url.searchParams.get(name)).to.equal(value);
    expect(url.searchParams.get('redirect_uri')).to.equal(`${location.origin}/step-up/callback`);
    expect(url.searchParams.get('code_challenge_method')).to.equal('S256');
    const state = url.searchParams.get('state')!;
    expect(state).to.match(/^[A-Za-z0-9_-]{43}$/);
    const kept = JSON.parse(sessionStorage.getItem(`${IDP_STATE_PREFIX}${state}`)!);
    expect(kept.request.method).to.equal('POST');
    expect(kept.nonce).to.equal(provider.params.nonce);
    // Credentials are never kept in sessionStorage.
    expect(JSON.stringify(kept)).not.to.contain('secret');
  });

  it('the return page exchanges the code, replays the kept request once, and refuses the state a second time', async () => {
    let target = '';
    setIdpStepUpHandler(
      createIdpRedirectHandler({ redirectUri: '/step-up/callback', navigate: (url) => (target = url) }),
    );
    let calls = 0;
    worker.use(
      http.post('/api/payroll', async ({ request }) => {
        calls++;
        contextOf(request);
        return calls === 1
          ? providerAnswer()
          : HttpResponse.json({ replayed: await request.text(), app: request.headers.get('x-app') });
      }),
    );
    void createStepUpFetch()('/api/payroll', {
      method: 'POST',
      body: '{"run":9}',
      headers: { 'x-app': '1' },
    });
    await sleep(300);
    const state = new URL(target).searchParams.get('state')!;
    const exchanged: unknown[] = [];
    const back = `${location.origin}/step-up/callback?code=c0de&state=${state}&iss=${encodeURIComponent(provider.issuer)}`;
    const { response, returnTo } = await completeIdpStepUp({
      url: back,
      exchange: async (cb) => void exchanged.push(cb),
    });
    expect(await response.json()).to.deep.equal({ replayed: '{"run":9}', app: '1' });
    expect(returnTo).to.equal(location.href);
    expect(exchanged).to.have.length(1);
    expect(exchanged[0]).to.include({
      code: 'c0de',
      nonce: provider.params.nonce,
      performer: 'idp:corp',
      redirectUri: `${location.origin}/step-up/callback`,
    });
    expect((exchanged[0] as { codeVerifier: string }).codeVerifier).to.match(/^[A-Za-z0-9_-]{43}$/);
    const again = await completeIdpStepUp({ url: back, exchange: async () => {} }).catch((e: unknown) => e);
    expect(isStepUpError(again) && again.code).to.equal('failed');
  });

  it('on the real return page it reads code and state before it cleans them from the address bar', async () => {
    keep('s3', {
      redirectUri: `${location.origin}/cb`,
      request: { url: `${location.origin}/api/replay`, method: 'GET', headers: [] },
    });
    worker.use(http.get('/api/replay', () => HttpResponse.json({ replayed: true })));
    const before = location.href;
    history.pushState(null, '', `${location.pathname}?keep=1&code=c0de&state=s3`);
    try {
      const codes: string[] = [];
      const { response } = await completeIdpStepUp({
        exchange: async (cb) => {
          codes.push(cb.code);
        },
      });
      expect(codes).to.deep.equal(['c0de']);
      expect(await response.json()).to.deep.equal({ replayed: true });
      expect(location.search).to.equal('?keep=1');
    } finally {
      history.replaceState(null, '', before);
    }
  });

  it('a declined sign-in is a cancel; an unknown state or another issuer fails before any exchange', async () => {
    keep('s1');
    const declined = await completeIdpStepUp({
      url: `${location.origin}/cb?error=access_denied&state=s1`,
      exchange: async () => {},
    }).catch((e: unknown) => e);
    expect(declined).to.be.instanceOf(StepUpCancelledError);
    let exchanged = false;
    const markExchanged = async () => {
      exchanged = true;
    };
    const unknown = await completeIdpStepUp({
      url: `${location.origin}/cb?code=c&state=forged`,
      exchange: markExchanged,
    }).catch((e: unknown) => e);
    expect(isStepUpError(unknown) && unknown.code).to.equal('failed');
    keep('s2');
    const mixUp = await completeIdpStepUp({
      url: `${location.origin}/cb?code=c&state=s2&iss=https%3A%2F%2Fevil.example`,
      exchange: markExchanged,
    }).catch((e: unknown) => e);
    expect(isStepUpError(mixUp) && mixUp.code).to.equal('failed');
    expect(exchanged).to.equal(false);
  });

  describe('popup handler', () => {
    const realOpen = window.open;
    /** A stand-in popup window: records where it was sent, can be closed. */
    const fakePopup = () => {
      const popup = {
        closed: false,
        location: { href: '' },
        close: () => {
          popup.closed = true;
        },
      };
      window.open = (() => popup) as unknown as typeof window.open;
      return popup;
    };
    afterEach(() => {
      window.open = realOpen;
    });
    const post = (data: unknown) => {
      const channel = new BroadcastChannel(IDP_POPUP_CHANNEL);
      channel.postMessage(data);
      channel.close();
    };

    it('sends the popup to the provider, ignores another state, exchanges the right answer, then the request is retried', async () => {
      const popup = fakePopup();
      let calls = 0;
      worker.use(
        http.post('/api/payroll', async ({ request }) =>
          ++calls === 1 ? providerAnswer() : HttpResponse.json({ retried: await request.text() }),
        ),
      );
      const exchanged: Array<{ code: string; codeVerifier?: string }> = [];
      setIdpStepUpHandler(
        createIdpPopupHandler({
          redirectUri: '/step-up/popup',
          exchange: async (cb) => void exchanged.push(cb),
        }),
      );
      const pending = createStepUpFetch()('/api/payroll', { method: 'POST', body: '{"run":3}' });
      while (popup.location.href === '') await sleep(20);
      const url = new URL(popup.location.href);
      expect(url.searchParams.get('redirect_uri')).to.equal(`${location.origin}/step-up/popup`);
      expect(url.searchParams.get('nonce')).to.equal(provider.params.nonce);
      const state = url.searchParams.get('state')!;
      post({ type: 'stepgate:idp-answer', state: 'another', search: '?code=stolen&state=another' });
      await sleep(100);
      expect(exchanged).to.have.length(0);
      post({ type: 'stepgate:idp-answer', state, search: `?code=c0de&state=${state}` });
      const res = await pending;
      expect(await res.json()).to.deep.equal({ retried: '{"run":3}' });
      expect(exchanged.map((cb) => cb.code)).to.deep.equal(['c0de']);
      expect(exchanged[0]!.codeVerifier).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(popup.closed).to.equal(true);
    });

    it('an answer from another issuer fails before any exchange', async () => {
      const popup = fakePopup();
      worker.use(http.post('/api/payroll', () => providerAnswer()));
      let exchanged = false;
      setIdpStepUpHandler(
        createIdpPopupHandler({
          redirectUri: '/cb',
          exchange: async () => {
            exchanged = true;
          },
        }),
      );
      const pending = createStepUpFetch()('/api/payroll', { method: 'POST' }).catch((e: unknown) => e);
      while (popup.location.href === '') await sleep(20);
      const state = new URL(popup.location.href).searchParams.get('state')!;
      post({
        type: 'stepgate:idp-answer',
        state,
        search: `?code=c&state=${state}&iss=https%3A%2F%2Fevil.example`,
      });
      const error = await pending;
      expect(isStepUpError(error) && error.code).to.equal('failed');
      expect(exchanged).to.equal(false);
    });

    it('a blocked popup falls back to the full-page redirect, or rejects with unsupported when asked', async () => {
      window.open = (() => null) as typeof window.open;
      worker.use(http.post('/api/payroll', () => providerAnswer()));
      let target = '';
      setIdpStepUpHandler(
        createIdpPopupHandler({
          redirectUri: '/cb',
          exchange: async () => {},
          navigate: (url) => (target = url),
        }),
      );
      void createStepUpFetch()('/api/payroll', { method: 'POST' });
      while (target === '') await sleep(20);
      const state = new URL(target).searchParams.get('state')!;
      expect(sessionStorage.getItem(`${IDP_STATE_PREFIX}${state}`)).to.not.equal(null);
      // The return page of that redirect is not a popup's: completeIdpPopup leaves it alone.
      expect(completeIdpPopup(`${location.origin}/cb?code=c&state=${state}`)).to.equal(false);
      setIdpStepUpHandler(
        createIdpPopupHandler({ redirectUri: '/cb', exchange: async () => {}, onBlocked: 'error' }),
      );
      const error = await createStepUpFetch()('/api/payroll', { method: 'POST' }).catch((e: unknown) => e);
      expect(isStepUpError(error) && error.code).to.equal('unsupported');
    });

    it('closing the popup cancels; the request signal aborts and closes it', async () => {
      let popup = fakePopup();
      worker.use(http.post('/api/payroll', () => providerAnswer()));
      setIdpStepUpHandler(createIdpPopupHandler({ redirectUri: '/cb', exchange: async () => {} }));
      const cancelled = createStepUpFetch()('/api/payroll', { method: 'POST' }).catch((e: unknown) => e);
      while (popup.location.href === '') await sleep(20);
      popup.closed = true;
      expect(await cancelled).to.be.instanceOf(StepUpCancelledError);
      popup = fakePopup();
      const controller = new AbortController();
      const aborted = createStepUpFetch()('/api/payroll', {
        method: 'POST',
        signal: controller.signal,
      }).catch((e: unknown) => e);
      while (popup.location.href === '') await sleep(20);
      controller.abort();
      const error = await aborted;
      expect(isStepUpError(error) && error.code).to.equal('aborted');
      expect(popup.closed).to.equal(true);
    });
  });
});
