/**
 * Reads the device signals of docs/design/wire-contract.md "Step-Up-Context header". Each reader is guarded: a
 * signal the browser refuses is simply absent. What each signal is for is in README.md
 * ("Privacy").
 */
import type { DeviceSignals } from '@stepgate/protocol';
import { detectWebview } from '../bridge/detect-webview.js';
import { cachedWebglRenderer, storeWebglRenderer } from './device-store.js';

/** Every signal sdk-core can collect; `canvas` feeds only the fingerprint hash. */
export const COLLECTED_SIGNALS = [
  'tz',
  'lang',
  'screen',
  'platform',
  'cores',
  'memory',
  'touch',
  'colorDepth',
  'webgl',
  'webdriver',
  'webauthn',
  'platformAuthenticator',
  'webview',
  'canvas',
] as const;

/** A signal name. */
export type SignalName = (typeof COLLECTED_SIGNALS)[number];

/** Which signals to collect: each is on unless set to `false`. */
export type CollectSelection = Partial<Record<SignalName, boolean>>;

/** The collected signals plus the canvas pixels hash input. */
export interface RawSignals {
  signals: DeviceSignals;
  canvas?: Uint8Array;
}

const MAX_TEXT = 128;

type Nav = Navigator & { deviceMemory?: number; userAgentData?: { platform?: string } };

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value.slice(0, MAX_TEXT) : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function automation(nav: Nav): boolean {
  const w = globalThis as unknown as Record<string, unknown>;
  return (
    nav.webdriver === true ||
    /HeadlessChrome|PhantomJS/.test(nav.userAgent) ||
    '__nightmare' in w ||
    'callPhantom' in w ||
    'domAutomation' in w ||
    '__playwright__binding__' in w
  );
}

/** The renderer, from a 7-day cache in localStorage when possible: a WebGL context costs 10–60 ms. */
function webglRenderer(): string | undefined {
  const cached = cachedWebglRenderer();
  if (cached !== undefined) return cached;
  const renderer = probeWebgl();
  if (renderer !== undefined) storeWebglRenderer(renderer);
  return renderer;
}

function probeWebgl(): string | undefined {
  // 1×1 without antialias, depth or stencil: the cheapest context that still names the renderer.
  const canvas = document.createElement('canvas');
  canvas.width = 1;
  canvas.height = 1;
  const gl = canvas.getContext('webgl', { antialias: false, depth: false, stencil: false });
  if (!gl) return undefined;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer: unknown = gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return text(renderer);
}

function canvasPixels(): Uint8Array | undefined {
  const canvas = document.createElement('canvas');
  canvas.width = 120;
  canvas.height = 24;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return undefined;
  ctx.textBaseline = 'top';
  ctx.font = '14px Arial, sans-serif';
  ctx.fillStyle = '#f60';
  ctx.fillRect(60, 2, 50, 18);
  ctx.fillStyle = 'rgba(20, 90, 200, 0.7)';
  ctx.fillText('Stepgate ✓ 𝛑', 2, 4);
  return new Uint8Array(ctx.getImageData(0, 0, 120, 24).data.buffer);
}

function safe<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

async function platformAuthenticator(): Promise<boolean | undefined> {
  if (typeof PublicKeyCredential !== 'function') return false;
  try {
    return await PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable();
  } catch {
    return undefined;
  }
}

/**
 * Reads the selected signals. The only asynchronous one is the platform-authenticator check.
 *
 * @param collect - Signals to skip (`{ webgl: false, canvas: false }`).
 */
export async function readSignals(collect: CollectSelection = {}): Promise<RawSignals> {
  const on = (name: SignalName) => collect[name] !== false;
  const nav = navigator as Nav;
  const pending = on('platformAuthenticator') ? platformAuthenticator() : undefined;
  const candidates: DeviceSignals = {};
  const set = <K extends keyof DeviceSignals>(key: K, read: () => DeviceSignals[K] | undefined) => {
    if (!on(key)) return;
    const value = safe(read);
    if (value !== undefined) candidates[key] = value;
  };
  set('tz', () => text(Intl.DateTimeFormat().resolvedOptions().timeZone));
  set('lang', () => text((nav.languages ?? [nav.language]).join(',')));
  set('screen', () => `${screen.width}x${screen.height}@${Math.round(devicePixelRatio * 100) / 100}`);
  set('platform', () => text(nav.userAgentData?.platform) ?? text(nav.platform));
  set('cores', () => num(nav.hardwareConcurrency));
  set('memory', () => num(nav.deviceMemory));
  set('touch', () => num(nav.maxTouchPoints));
  set('colorDepth', () => num(screen.colorDepth));
  set('webgl', webglRenderer);
  set('webdriver', () => automation(nav));
  set('webauthn', () => typeof PublicKeyCredential === 'function');
  set('webview', detectWebview);
  const out: RawSignals = { signals: candidates };
  if (on('canvas')) {
    const pixels = safe(canvasPixels);
    if (pixels) out.canvas = pixels;
  }
  if (pending) {
    const available = await pending;
    if (available !== undefined) candidates.platformAuthenticator = available;
  }
  return out;
}
