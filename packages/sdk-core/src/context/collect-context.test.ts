import { expect } from '@open-wc/testing';
import { CONTEXT_LIMITS, decodeStepUpContext, MAX_CONTEXT_HEADER_BYTES } from '@stepgate/protocol';
import { clearContextCache, collectContext, prewarmContext, UNKNOWN_FINGERPRINT } from './collect-context.js';
import { encodeContextHeader, getContextHeader } from './context-header.js';
import { forgetDevice, getDeviceId, rememberDeviceToken } from './device-store.js';

let kindsSeen: string[] = [];
const canvasRenders = () => kindsSeen.filter((k) => k === '2d').length;

/** Counts canvas contexts created while `run` runs. */
async function countContexts(run: () => Promise<unknown>): Promise<string[]> {
  const original = HTMLCanvasElement.prototype.getContext;
  const kinds: string[] = [];
  kindsSeen = kinds;
  HTMLCanvasElement.prototype.getContext = function (
    this: HTMLCanvasElement,
    kind: string,
    ...rest: unknown[]
  ) {
    kinds.push(kind);
    return (original as (...args: unknown[]) => unknown).call(this, kind, ...rest);
  } as typeof original;
  try {
    await run();
  } finally {
    HTMLCanvasElement.prototype.getContext = original;
  }
  return kinds;
}

describe('context collection', () => {
  beforeEach(() => {
    clearContextCache();
    forgetDevice();
  });

  it('does nothing at import time: no storage, no canvas, no listeners', async () => {
    localStorage.clear();
    // A fresh realm, so that the package's modules are evaluated anew there.
    const frame = document.createElement('iframe');
    document.body.append(frame);
    const win = frame.contentWindow as Window & typeof globalThis;
    const kinds: string[] = [];
    win.HTMLCanvasElement.prototype.getContext = ((kind: string) => {
      kinds.push(kind);
      return null;
    }) as typeof HTMLCanvasElement.prototype.getContext;
    const script = win.document.createElement('script');
    script.type = 'module';
    script.textContent = `import * as sdk from '${new URL('../index.ts', import.meta.url).href}'; window.sdk = sdk;`;
    win.document.body.append(script);
    for (let i = 0; i < 100 && !('sdk' in win); i++) await new Promise((r) => setTimeout(r, 20));
    expect('sdk' in win).to.equal(true);
    expect(kinds).to.deep.equal([]);
    expect(Object.keys(localStorage).filter((k) => k.startsWith('stepgate:'))).to.deep.equal([]);
    expect('stepgateNative' in win).to.equal(false);
    frame.remove();
  });

  it('collects the listed signals and a SHA-256 fingerprint', async () => {
    const context = await collectContext({ timeoutMs: Number.POSITIVE_INFINITY });
    expect(context.v).to.equal(1);
    expect(context.fingerprint).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(context.deviceId).to.equal(getDeviceId());
    const s = context.signals;
    expect(s.tz).to.equal(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(s.lang).to.equal(navigator.languages.join(','));
    expect(s.screen).to.match(/^\d+x\d+@[\d.]+$/);
    expect(s.cores).to.equal(navigator.hardwareConcurrency);
    expect(s.colorDepth).to.equal(screen.colorDepth);
    expect(s.touch).to.equal(navigator.maxTouchPoints);
    expect(s.webauthn).to.equal(true);
    expect(typeof s.webdriver).to.equal('boolean');
    expect(typeof s.platformAuthenticator).to.equal('boolean');
    expect(s.webview).to.equal(undefined);
  });

  it('is cached: a second collection reuses the first and renders nothing', async () => {
    let first: string | undefined;
    const cold = await countContexts(async () => {
      first = (await collectContext({ timeoutMs: Number.POSITIVE_INFINITY })).fingerprint;
    });
    expect(cold).to.include('2d');
    const warm = await countContexts(async () => {
      expect((await collectContext()).fingerprint).to.equal(first);
    });
    expect(warm).to.deep.equal([]);
  });

  it('reuses the WebGL renderer on the next page load instead of creating a context', async () => {
    const first = await countContexts(() => collectContext({ timeoutMs: Number.POSITIVE_INFINITY }));
    const renderer = (await collectContext()).signals.webgl;
    clearContextCache(); // what a new page load starts with
    const next = await countContexts(async () => {
      expect((await collectContext({ timeoutMs: Number.POSITIVE_INFINITY })).signals.webgl).to.equal(
        renderer,
      );
    });
    expect(first).to.include('webgl');
    expect(next).to.not.include('webgl');
  });

  it('prewarms when the page is idle, so the first request finds the context cached', async () => {
    const kinds = await countContexts(async () => {
      prewarmContext();
      // Nothing else collects while we wait: only the idle callback can render the canvas.
      for (let i = 0; i < 300; i++) {
        await new Promise((r) => setTimeout(r, 10));
        if (canvasRenders() > 0) break;
      }
      expect(canvasRenders()).to.equal(1);
      expect((await collectContext({ timeoutMs: 5000 })).fingerprint).to.not.equal(UNKNOWN_FINGERPRINT);
    });
    expect(kinds.filter((k) => k === '2d')).to.have.length(1);
  });

  it('collects less on request: no WebGL, no canvas, no languages', async () => {
    const kinds = await countContexts(async () => {
      const context = await collectContext({
        collect: { webgl: false, canvas: false, lang: false },
        timeoutMs: Number.POSITIVE_INFINITY,
      });
      expect(context.signals.webgl).to.equal(undefined);
      expect(context.signals.lang).to.equal(undefined);
      expect(context.signals.tz).to.be.a('string');
    });
    expect(kinds).to.deep.equal([]);
  });

  it('past the time budget says "unknown device", then finishes in the background', async () => {
    const pkc = PublicKeyCredential as unknown as {
      isUserVerifyingPlatformAuthenticatorAvailable: () => Promise<boolean>;
    };
    const original = pkc.isUserVerifyingPlatformAuthenticatorAvailable;
    let release: (value: boolean) => void = () => undefined;
    pkc.isUserVerifyingPlatformAuthenticatorAvailable = () => new Promise((resolve) => (release = resolve));
    try {
      const early = await collectContext({ timeoutMs: 20 });
      expect(early.fingerprint).to.equal(UNKNOWN_FINGERPRINT);
      expect(early.signals).to.deep.equal({});
      expect(early.deviceId).to.equal(getDeviceId());
      release(true);
      const later = await collectContext({ timeoutMs: Number.POSITIVE_INFINITY });
      expect(later.fingerprint).to.not.equal(UNKNOWN_FINGERPRINT);
      expect(later.signals.platformAuthenticator).to.equal(true);
    } finally {
      pkc.isUserVerifyingPlatformAuthenticatorAvailable = original;
    }
  });

  it('the header stays within 4 KB and decodes with the protocol codec', async () => {
    rememberDeviceToken('t'.repeat(CONTEXT_LIMITS.deviceToken));
    const header = await getContextHeader({ timeoutMs: Number.POSITIVE_INFINITY });
    expect(header.length).to.be.at.most(MAX_CONTEXT_HEADER_BYTES);
    const decoded = decodeStepUpContext(header);
    expect(decoded?.deviceToken).to.have.length(CONTEXT_LIMITS.deviceToken);
    expect(decoded?.deviceId).to.equal(getDeviceId());
  });

  it('drops long signals rather than send a header over 4 KB', () => {
    const long = 'x'.repeat(CONTEXT_LIMITS.signalString);
    const header = encodeContextHeader({
      v: 1,
      deviceId: 'dev',
      fingerprint: 'fp',
      deviceToken: 't'.repeat(CONTEXT_LIMITS.deviceToken),
      signals: { webgl: long, lang: long, platform: long, tz: long, screen: long, webview: long, cores: 8 },
    });
    expect(header.length).to.be.at.most(MAX_CONTEXT_HEADER_BYTES);
    const decoded = decodeStepUpContext(header);
    expect(decoded?.deviceToken).to.have.length(CONTEXT_LIMITS.deviceToken);
    expect(decoded?.signals.cores).to.equal(8);
    expect(decoded?.signals.webgl).to.equal(undefined);
  });
});
