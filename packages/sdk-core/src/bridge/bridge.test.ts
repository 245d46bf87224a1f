import { expect } from '@open-wc/testing';
import { StepUpCancelledError, type StepUpError } from '../errors.js';
import { detectWebview } from './detect-webview.js';
import { NATIVE_EVENT } from './native-answers.js';
import { signWithNativeDeviceKey } from './native-sign.js';
import { type BridgeEnvelope, postBridgeMessage } from './post-message.js';

type Reply = (message: BridgeEnvelope) => void;
type Kind = 'ios' | 'android' | 'react-native';
const g = globalThis as unknown as Record<string, unknown>;

/**
 * A fake native side for each platform: it receives what the page posts (as a JSON string,
 * like the real channels) and may answer the way that platform's native code would.
 */
function installNative(kind: Kind, reply?: Reply): BridgeEnvelope[] {
  const received: BridgeEnvelope[] = [];
  const postMessage = (json: unknown) => {
    if (typeof json !== 'string') throw new TypeError('channels carry strings');
    const message = JSON.parse(json) as BridgeEnvelope;
    received.push(message);
    if (reply) setTimeout(() => reply(message), 5);
  };
  if (kind === 'ios') g.webkit = { messageHandlers: { stepgate: { postMessage } } };
  if (kind === 'android') g.StepgateAndroid = { postMessage };
  if (kind === 'react-native') g.ReactNativeWebView = { postMessage };
  return received;
}

function uninstallNative(): void {
  delete g.webkit;
  delete g.StepgateAndroid;
  delete g.ReactNativeWebView;
}

/** How each platform's native code answers (docs/webview.md "Answers"). */
const answerWith: Record<Kind, (detail: Record<string, unknown>) => void> = {
  // Swift: webView.evaluateJavaScript("window.dispatchEvent(new CustomEvent('stepgate:native', { detail: … }))")
  ios: (detail) => window.dispatchEvent(new CustomEvent(NATIVE_EVENT, { detail })),
  // Kotlin: webView.evaluateJavascript("window.stepgateNative(" + JSONObject.quote(json) + ")", null)
  android: (detail) => (g.stepgateNative as (d: unknown) => void)(JSON.stringify(detail)),
  // React Native: webViewRef.current.injectJavaScript(`window.dispatchEvent(new CustomEvent(…, { detail: '…json…' }))`)
  'react-native': (detail) =>
    window.dispatchEvent(new CustomEvent(NATIVE_EVENT, { detail: JSON.stringify(detail) })),
};

describe('webview bridge', () => {
  afterEach(uninstallNative);

  it('detects no webview in a plain browser and posts nothing', () => {
    expect(detectWebview()).to.equal(undefined);
    expect(postBridgeMessage({ type: 'challenge_cancelled', challengeId: 'chl_1' })).to.equal(false);
  });

  for (const kind of ['ios', 'android', 'react-native'] as const) {
    describe(kind, () => {
      it('is detected and receives typed messages as JSON strings', () => {
        const received = installNative(kind);
        expect(detectWebview()).to.equal(kind);
        expect(
          postBridgeMessage({
            type: 'challenge_started',
            challengeId: 'chl_1',
            acr: 'aal2',
            methods: ['totp'],
          }),
        ).to.equal(true);
        expect(received).to.deep.equal([
          {
            source: 'stepgate',
            v: 1,
            type: 'challenge_started',
            challengeId: 'chl_1',
            acr: 'aal2',
            methods: ['totp'],
          },
        ]);
      });

      it('round-trips a signature request: the native device key signs the challenge bytes', async () => {
        const received = installNative(kind, (message) => {
          if (message.type !== 'sign_request') return;
          answerWith[kind]({ type: 'sign_result', id: message.id, keyId: 'key_1', signature: 'MEUCIQ-sig_' });
        });
        const assertion = await signWithNativeDeviceKey({ challengeId: 'chl_1', challenge: 'Y2hhbGxlbmdl' });
        expect(assertion).to.deep.equal({ keyId: 'key_1', signature: 'MEUCIQ-sig_' });
        expect(received).to.have.length(1);
        const request = received[0]!;
        expect(request).to.include({
          source: 'stepgate',
          v: 1,
          type: 'sign_request',
          challengeId: 'chl_1',
          challenge: 'Y2hhbGxlbmdl',
        });
        expect(request.type === 'sign_request' && request.id).to.match(/^[0-9a-f-]{36}$/);
      });

      it('times out when the native side never answers', async () => {
        installNative(kind);
        const error = (await signWithNativeDeviceKey(
          { challengeId: 'chl_1', challenge: 'AQID' },
          { timeoutMs: 30 },
        ).catch((e: unknown) => e)) as StepUpError;
        expect(error.code).to.equal('timeout');
      });
    });
  }

  it('iOS: takes the answer from a WKScriptMessageHandlerWithReply reply Promise', async () => {
    g.webkit = {
      messageHandlers: {
        stepgate: {
          postMessage: async (json: string) => {
            const message = JSON.parse(json) as BridgeEnvelope;
            expect(message.type).to.equal('sign_request');
            return { type: 'sign_result', keyId: 'key_ios', signature: 'c2ln' };
          },
        },
      },
    };
    expect(await signWithNativeDeviceKey({ challengeId: 'c', challenge: 'AQID' })).to.deep.equal({
      keyId: 'key_ios',
      signature: 'c2ln',
    });
  });

  it('Android: takes the answer from an addWebMessageListener reply (a message event on the object)', async () => {
    const target = new EventTarget() as EventTarget & { postMessage?: (json: string) => void };
    target.postMessage = (json) => {
      const message = JSON.parse(json) as BridgeEnvelope;
      if (message.type !== 'sign_request') return;
      const data = JSON.stringify({
        type: 'sign_result',
        id: message.id,
        keyId: 'key_and',
        signature: 'c2ln',
      });
      setTimeout(() => target.dispatchEvent(new MessageEvent('message', { data })), 5);
    };
    g.StepgateAndroid = target;
    expect(await signWithNativeDeviceKey({ challengeId: 'c', challenge: 'AQID' })).to.deep.equal({
      keyId: 'key_and',
      signature: 'c2ln',
    });
  });

  it('refuses a bare success flag: only a key id and a signature resolve', async () => {
    installNative('ios', (message) => {
      if (message.type === 'sign_request') answerWith.ios({ type: 'sign_result', id: message.id, ok: true });
    });
    const error = (await signWithNativeDeviceKey({ challengeId: 'chl_1', challenge: 'AQID' }).catch(
      (e: unknown) => e,
    )) as StepUpError;
    expect(error.code).to.equal('failed');
  });

  it('ignores answers for other request ids', async () => {
    installNative('android', (message) => {
      if (message.type !== 'sign_request') return;
      answerWith.android({ type: 'sign_result', id: 'someone-else', keyId: 'k', signature: 'AAAA' });
    });
    const error = (await signWithNativeDeviceKey(
      { challengeId: 'c', challenge: 'AQID' },
      { timeoutMs: 50 },
    ).catch((e: unknown) => e)) as StepUpError;
    expect(error.code).to.equal('timeout');
  });

  it('rejects with StepUpCancelledError when the user declines the native prompt', async () => {
    installNative('react-native', (message) => {
      if (message.type === 'sign_request')
        answerWith['react-native']({ type: 'sign_error', id: message.id, code: 'cancelled' });
    });
    const error = await signWithNativeDeviceKey({ challengeId: 'c', challenge: 'AQID' }).catch(
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(StepUpCancelledError);
  });

  it('maps a native "unavailable" error to unsupported, and runs only inside a webview', async () => {
    const outside = (await signWithNativeDeviceKey({ challengeId: 'c', challenge: 'AQID' }).catch(
      (e: unknown) => e,
    )) as StepUpError;
    expect(outside.code).to.equal('unsupported');
    installNative('ios', (message) => {
      if (message.type === 'sign_request')
        answerWith.ios({ type: 'sign_error', id: message.id, code: 'unavailable' });
    });
    const error = (await signWithNativeDeviceKey({ challengeId: 'c', challenge: 'AQID' }).catch(
      (e: unknown) => e,
    )) as StepUpError;
    expect(error.code).to.equal('unsupported');
  });

  it('aborts the wait with the caller’s signal', async () => {
    installNative('ios');
    const controller = new AbortController();
    const pending = signWithNativeDeviceKey(
      { challengeId: 'c', challenge: 'AQID' },
      { signal: controller.signal },
    );
    controller.abort();
    expect(((await pending.catch((e: unknown) => e)) as StepUpError).code).to.equal('aborted');
  });

  it('refuses a challenge that is not base64url', async () => {
    installNative('ios');
    const error = (await signWithNativeDeviceKey({ challengeId: 'c', challenge: 'not base64!' }).catch(
      (e: unknown) => e,
    )) as StepUpError;
    expect(error.code).to.equal('failed');
  });
});
