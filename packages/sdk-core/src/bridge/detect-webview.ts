/**
 * Finds the native message channel of the webview the page runs in, if any
 * (docs/webview.md "Channels"). Read on every call: native code may inject it late.
 */

/** The webview kinds sdk-core can talk to. */
export type WebviewKind = 'ios' | 'android' | 'react-native';

type Poster = { postMessage?: unknown };

/** The object each native side injects, in detection order (docs/webview.md "Channels"). */
function receivers(): [WebviewKind, Poster | undefined][] {
  const g = globalThis as unknown as {
    webkit?: { messageHandlers?: { stepgate?: Poster } };
    StepgateAndroid?: Poster;
    ReactNativeWebView?: Poster;
  };
  return [
    ['ios', g.webkit?.messageHandlers?.stepgate],
    ['android', g.StepgateAndroid],
    ['react-native', g.ReactNativeWebView],
  ];
}

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
 *
 * @returns The kind, or `undefined` in an ordinary browser.
 * @example
 * if (detectWebview() === 'ios') hideWebAuthnButton();
 */
export function detectWebview(): WebviewKind | undefined {
  return receivers().find(([, r]) => typeof r?.postMessage === 'function')?.[0];
}

/** The channel of the detected webview, bound to its receiver; `undefined` outside one. */
export function nativeChannel(): NativeChannel | undefined {
  const receiver = receivers().find(([, r]) => typeof r?.postMessage === 'function')?.[1] as
    | { postMessage(body: string): unknown }
    | undefined;
  return receiver && ((json) => receiver.postMessage(json));
}
