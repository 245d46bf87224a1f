/**
 * Lazy, cached context collection with a time budget. Nothing runs at import time; the first
 * call starts collecting, later calls reuse the result. When the budget runs out the caller
 * gets an "unknown device" context (`fingerprint: "unknown"`, no signals) while collection
 * finishes in the background for the next request.
 */
import { type DeviceSignals, encodeBase64Url, type StepUpContext } from '@stepgate/protocol';
import { getDeviceId, getDeviceToken } from './device-store.js';
import { type CollectSelection, readSignals } from './signals.js';

/** The fingerprint sent when collection did not finish within the budget. */
export const UNKNOWN_FINGERPRINT = 'unknown';

/** Options of {@link collectContext} and {@link getContextHeader}. */
export interface ContextOptions {
  /**
   * Signals to leave out; each is collected unless set to `false`.
   * @defaultValue `{}` (collect all)
   */
  collect?: CollectSelection | undefined;
  /**
   * Time budget in milliseconds; past it the context says "unknown device".
   * `Infinity` waits for the full collection.
   * @defaultValue 50
   */
  timeoutMs?: number | undefined;
}

interface Collected {
  signals: DeviceSignals;
  fingerprint: string;
}

const cache = new Map<string, Promise<Collected>>();

/** SHA-256 over the signals in a fixed key order plus the canvas pixels, as base64url. */
async function fingerprintOf(signals: DeviceSignals, canvas: Uint8Array | undefined): Promise<string> {
  const keys = Object.keys(signals).sort() as (keyof DeviceSignals)[];
  const json = JSON.stringify(keys.map((k) => [k, signals[k]]));
  const head = new TextEncoder().encode(json);
  const data = new Uint8Array(head.length + (canvas?.length ?? 0));
  data.set(head);
  if (canvas) data.set(canvas, head.length);
  return encodeBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', data)));
}

function collect(selection: CollectSelection): Promise<Collected> {
  const key = JSON.stringify(Object.entries(selection).sort());
  let entry = cache.get(key);
  if (!entry) {
    entry = readSignals(selection).then(async ({ signals, canvas }) => ({
      signals,
      fingerprint: await fingerprintOf(signals, canvas),
    }));
    // A failed collection is not cached: the next request tries again.
    entry.catch(() => cache.delete(key));
    cache.set(key, entry);
  }
  return entry;
}

function withBudget<T>(promise: Promise<T>, timeoutMs: number): Promise<T | undefined> {
  if (!Number.isFinite(timeoutMs)) return promise;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), Math.max(0, timeoutMs));
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });
}

/**
 * Collects the device context: the per-browser device id, the fingerprint (SHA-256 of the
 * signals and a canvas rendering), the signals, and the remembered-device token when one is
 * stored. Never rejects: past the budget, or if collection fails, the context has
 * `fingerprint: "unknown"` and no signals (the service treats it as an unknown device).
 *
 * @example
 * // Warm the cache when the browser is idle, so the first sensitive request pays nothing.
 * requestIdleCallback(() => void collectContext({ timeoutMs: Infinity }));
 */
export async function collectContext(options: ContextOptions = {}): Promise<StepUpContext> {
  const collected = await withBudget(collect(options.collect ?? {}), options.timeoutMs ?? 50);
  const context: StepUpContext = {
    v: 1,
    deviceId: getDeviceId(),
    fingerprint: collected?.fingerprint ?? UNKNOWN_FINGERPRINT,
    signals: collected ? { ...collected.signals } : {},
  };
  const deviceToken = getDeviceToken();
  if (deviceToken) context.deviceToken = deviceToken;
  return context;
}

/**
 * Collects the context when the browser is idle (`requestIdleCallback`, else after a short
 * delay), so that the first sensitive request finds it cached. Safe to call at startup: it
 * does nothing until the page is idle.
 *
 * @param options - Which signals to collect; the budget does not apply.
 * @returns A function that cancels the scheduled collection if it has not started.
 * @example
 * addEventListener('load', () => prewarmContext());
 */
export function prewarmContext(options: Pick<ContextOptions, 'collect'> = {}): () => void {
  const run = () => void collect(options.collect ?? {}).catch(() => undefined);
  if (typeof requestIdleCallback === 'function') {
    const handle = requestIdleCallback(run, { timeout: 2000 });
    return () => cancelIdleCallback(handle);
  }
  const timer = setTimeout(run, 200);
  return () => clearTimeout(timer);
}

/**
 * Drops the cached signals so the next call collects again (for example after the page moved
 * to another screen). The device id and token are kept; see {@link forgetDevice}.
 *
 * @example
 * clearContextCache();
 */
export function clearContextCache(): void {
  cache.clear();
}
