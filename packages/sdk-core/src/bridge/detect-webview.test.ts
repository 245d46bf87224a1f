import { expect } from '@open-wc/testing';
import { HttpResponse, http } from 'msw';
import { challenge, startWorker, stepUpResponse, verifyAnswer, worker } from '../../test/fixtures.js';
import { createStepUpFetch } from '../flow/create-step-up-fetch.js';
import { setStepUpHandler } from '../flow/handlers.js';
import { resetStepUpQueue } from '../flow/step-up-queue.js';
import { detectWebview } from './detect-webview.js';
import { signWithNativeDeviceKey } from './native-sign.js';
import { postBridgeMessage } from './post-message.js';

const g = globalThis as unknown as Record<string, unknown>;

/** Adds markup to the page and waits until every frame in it has loaded. */
async function inject(markup: string): Promise<HTMLElement> {
  const host = document.createElement('div');
  host.innerHTML = markup;
  // Listen before the frames are connected; one without src or srcdoc loads about:blank at once.
  const loaded = [...host.querySelectorAll('iframe')]
    .filter((f) => f.src || f.srcdoc)
    .map((f) => new Promise((resolve) => f.addEventListener('load', resolve, { once: true })));
  document.body.append(host);
  await Promise.all(loaded);
  return host;
}

/** Messages that reach a frame's window, as a page inside it would see them. */
function listen(frame: HTMLIFrameElement): unknown[] {
  const seen: unknown[] = [];
  frame.contentWindow?.addEventListener('message', (event) => seen.push(event.data));
  return seen;
}

/** The same test server on the other loopback name: another origin. */
const otherOrigin = () =>
  location.origin.includes('localhost')
    ? location.origin.replace('localhost', '127.0.0.1')
    : location.origin.replace('127.0.0.1', 'localhost');

// Each entry gives one of the bridge names to markup (HTML "named access on the Window object").
const CLOBBERS: Array<[string, string]> = [
  ['an iframe named StepgateAndroid', '<iframe name="StepgateAndroid"></iframe>'],
  ['an iframe named ReactNativeWebView', '<iframe name="ReactNativeWebView"></iframe>'],
  [
    'nested iframes webkit → messageHandlers → stepgate',
    `<iframe name="webkit" srcdoc="<iframe name='messageHandlers' srcdoc='<iframe name=stepgate></iframe>'></iframe>"></iframe>`,
  ],
  [
    'a form with an input named postMessage',
    '<form id="StepgateAndroid"><input name="postMessage" /></form>',
  ],
  [
    'two anchors with one id (an HTMLCollection)',
    '<a id="ReactNativeWebView"></a><a id="ReactNativeWebView" name="postMessage"></a>',
  ],
  ['an image named webkit', '<img name="webkit" alt="" src="data:," />'],
  ['an object element', '<object name="StepgateAndroid"></object>'],
];

describe('detectWebview() and DOM clobbering', () => {
  let host: HTMLElement | undefined;
  afterEach(() => {
    host?.remove();
    host = undefined;
  });

  for (const [name, markup] of CLOBBERS) {
    it(`${name} is not a webview bridge, and nothing is posted to it (issue 15)`, async () => {
      host = await inject(markup);
      expect(detectWebview()).to.equal(undefined);
      expect(postBridgeMessage({ type: 'challenge_cancelled', challengeId: 'chl_1' })).to.equal(false);
      const error = await signWithNativeDeviceKey({ challengeId: 'c', challenge: 'AQID' }).catch(
        (e: unknown) => e,
      );
      expect((error as { code?: string }).code).to.equal('unsupported');
    });
  }

  it('a cross-origin frame named webkit neither throws nor counts (issue 15)', async () => {
    host = await inject(`<iframe name="webkit" src="${otherOrigin()}/"></iframe>`);
    expect(() => detectWebview()).not.to.throw();
    expect(detectWebview()).to.equal(undefined);
  });

  it('still finds a real injected bridge next to clobbering markup', async () => {
    host = await inject('<iframe name="webkit"></iframe>');
    const received: string[] = [];
    g.ReactNativeWebView = { postMessage: (json: string) => received.push(json) };
    try {
      expect(detectWebview()).to.equal('react-native');
      expect(postBridgeMessage({ type: 'challenge_cancelled', challengeId: 'chl_1' })).to.equal(true);
      expect(received).to.have.length(1);
    } finally {
      delete g.ReactNativeWebView;
    }
  });

  describe('the step-up flow', () => {
    before(startWorker);
    afterEach(() => {
      worker.resetHandlers();
      resetStepUpQueue();
      setStepUpHandler(null);
    });

    it('never hands the upgraded token to a frame named StepgateAndroid (issue 15)', async () => {
      host = await inject('<iframe name="StepgateAndroid"></iframe>');
      const seen = listen(host.querySelector('iframe') as HTMLIFrameElement);
      worker.use(
        http.post('/api/clobbered', ({ request }) =>
          request.headers.get('Step-Up-Token') === 'tok_secret'
            ? HttpResponse.json({ ok: true })
            : stepUpResponse(challenge('chl_clobbered')),
        ),
      );
      setStepUpHandler(async () => verifyAnswer('tok_secret'));
      const res = await createStepUpFetch()('/api/clobbered', { method: 'POST' });
      expect(res.status).to.equal(200);
      // Messages are delivered as tasks: give them the time to arrive.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(seen).to.deep.equal([]);
    });
  });
});
