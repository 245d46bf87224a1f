/**
 * Finds the native message channel of the webview the page runs in, if any
 * (docs/webview.md "Channels"). Read on every call: native code may inject it late.
 *
 * The globals native code injects (`webkit`, `StepgateAndroid`, `ReactNativeWebView`) are not
 * properties of `Window.prototype`, so markup alone can shadow them ("DOM clobbering", HTML
 * §7.2.2.3 named access on the Window object): `<iframe name="StepgateAndroid">` makes
 * `window.StepgateAndroid` the frame's WindowProxy, whose `postMessage` is a real function that
 * would hand the upgraded token to whatever page the frame shows. So every step of a lookup
 * accepts only a plain injected object: never a Window, a DOM node or a collection of nodes.
 */

/** The webview kinds sdk-core can talk to. */
export type WebviewKind = 'ios' | 'android' | 'react-native';

/** What an injected bridge object offers: `postMessage`, and on Android maybe `addEventListener`. */
export interface NativeReceiver {
  postMessage(body: string): unknown;
  addEventListener?: unknown;
}

/**
 * `value` when it is an object the native side can have injected; `undefined` for what markup
 * can put behind a global name: a browsing context (a WindowProxy, of any origin) or a DOM
 * node. Checked by shape rather than `instanceof`, since a frame's objects come from another
 * realm. A collection (several elements with one id) passes, but its named members are
 * elements, so the next step of a lookup, or the `postMessage` check, refuses it. Never throws.
 */
function injected(value: unknown): Record<string, unknown> | undefined {
  try {
    const v = value as Record<string, unknown>;
    // A WindowProxy's `window` is itself, and stays readable across origins (HTML §7.2.3.1).
    return v && typeof v === 'object' && v.window !== v && typeof v.nodeType !== 'number' ? v : undefined;
  } catch {
    // Only a cross-origin object refuses to be read: it is not one the native side injected.
    return undefined;
  }
}

/** `value` when it is a real injected channel: an injected object with a `postMessage` function. */
function asReceiver(value: unknown): NativeReceiver | undefined {
  const v = injected(value);
  return typeof v?.postMessage === 'function' ? (v as unknown as NativeReceiver) : undefined;
}

/**
 * The object each native side injects, in detection order (docs/webview.md "Channels"), each
 * `undefined` when absent or when the name is taken by markup (a frame, an element). Internal:
 * the Android answer listener reads it too (native-answers.ts).
 */
export function nativeReceivers(): Record<WebviewKind, NativeReceiver | undefined> {
  const g = globalThis as unknown as Record<string, unknown>;
  return {
    ios: asReceiver(injected(injected(g.webkit)?.messageHandlers)?.stepgate),
    android: asReceiver(g.StepgateAndroid),
    'react-native': asReceiver(g.ReactNativeWebView),
  };
}

const detected = () =>
  (Object.entries(nativeReceivers()) as [WebviewKind, NativeReceiver | undefined][]).find(([, r]) => r);

/**
 * A function that delivers one serialised message to the native side. It returns what the
 * native `postMessage` returned: a Promise of the reply on iOS with `WKScriptMessageHandlerWithReply`.
 */
export type NativeChannel = (json: string) => unknown;

/**
 * Tells which native bridge the page can post to: `ios` when a WKWebView registered the
 * `stepgate` script message handler, `android` when an Android WebView added the
 * `StepgateAndroid` JavaScript interface or web message listener, `react-native` inside
 * react-native-webview. Checked in that order (react-native-webview on iOS has no `stepgate` handler).
 * Markup that takes one of these names (`<iframe name="StepgateAndroid">`, `<form id="webkit">`,
 * several elements with one id) is ignored: only an injected object with a `postMessage`
 * function counts, never a Window, a DOM node or a node collection.
 *
 * @returns The kind, or `undefined` in an ordinary browser.
 * @example
 * if (detectWebview() === 'ios') hideWebAuthnButton();
 */
export function detectWebview(): WebviewKind | undefined {
  return detected()?.[0];
}

/** The channel of the detected webview, bound to its receiver; `undefined` outside one. */
export function nativeChannel(): NativeChannel | undefined {
  const receiver = detected()?.[1];
  return receiver && ((json) => receiver.postMessage(json));
}
