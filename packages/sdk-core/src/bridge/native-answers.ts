/**
 * Answers from the native side: a `stepgate:native` CustomEvent on `window`, or a call of the
 * global `window.stepgateNative(detail)` that native code can reach with `evaluateJavascript` /
 * `injectJavaScript`, a `message` event on the `StepgateAndroid` object (androidx.webkit
 * `addWebMessageListener` reply), or the reply of an iOS `WKScriptMessageHandlerWithReply`.
 * `detail` is an object or its JSON string (docs/webview.md "Answers").
 * The listener is installed on first use, never at import time.
 */
import { type NativeReceiver, nativeReceivers } from './detect-webview.js';

/** The event name native code dispatches its answers with. */
export const NATIVE_EVENT = 'stepgate:native';

/** A native answer to a `sign_request`. */
export type NativeAnswer =
  | { type: 'sign_result'; id: string; keyId: string; signature: string }
  | { type: 'sign_error'; id: string; code: string; message?: string };

type Listener = (answer: Record<string, unknown>) => void;

const listeners = new Map<string, Listener>();
let installed = false;

/** Routes one native answer (an object or its JSON string) to the request waiting for its id. */
export function deliverNativeAnswer(detail: unknown): void {
  let value = detail;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return;
    }
  }
  if (typeof value !== 'object' || value === null) return;
  const id = (value as { id?: unknown }).id;
  if (typeof id !== 'string') return;
  listeners.get(id)?.(value as Record<string, unknown>);
}

function install(): void {
  if (installed) return;
  installed = true;
  globalThis.addEventListener(NATIVE_EVENT, (event) =>
    deliverNativeAnswer((event as CustomEvent<unknown>).detail),
  );
  (globalThis as unknown as { stepgateNative: (detail: unknown) => void }).stepgateNative =
    deliverNativeAnswer;
}

const hookedAndroid = new WeakSet<object>();

/**
 * androidx.webkit `addWebMessageListener`: `replyProxy.postMessage(json)` fires `message` on the
 * injected object. Looked up like the channel itself, so that a frame named `StepgateAndroid`
 * (whose `message` events anyone may send) is never taken for it.
 */
function hookAndroid(): void {
  const android = nativeReceivers().android as (NativeReceiver & EventTarget) | undefined;
  if (typeof android?.addEventListener !== 'function' || hookedAndroid.has(android)) return;
  hookedAndroid.add(android);
  android.addEventListener('message', (event) => deliverNativeAnswer((event as MessageEvent<unknown>).data));
}

/** Waits for the native answer with `id`; call the returned function to stop waiting. */
export function onNativeAnswer(id: string, listener: Listener): () => void {
  install();
  hookAndroid();
  listeners.set(id, listener);
  return () => {
    listeners.delete(id);
  };
}
