/**
 * Finds the native message channel of the webview the page runs in, if any
 * (docs/webview.md "Channels"). Read on every call: native code may inject it late.
 */

/** The webview kinds sdk-core can talk to. */
export type WebviewKind = 'ios' | 'android' | 'react-native';

/** The global objects each native side injects (docs/webview.md). */
interface BridgeGlobals {
  webkit?: { messageHandlers?: { stepgate?: { postMessage?: unknown } } };
  StepgateAndroid?: { postMessage?: unknown };
  ReactNativeWebView?: { postMessage?: unknown };
}

/**
 * A function that delivers one serialised message to the native side. It returns what the
 * native `postMessage` returned: a Promise of the reply on iOS with `WKScriptMessageHandlerWithReply`.
 */
export type NativeChannel = (json: string) => unknown;

function globals(): BridgeGlobals {
  return globalThis as unknown as BridgeGlobals;
}

/**
 * Tells which native bridge the page can post to: `ios` when a WKWebView registered the
 * `stepgate` script message handler, `android` when an Android WebView added the
 * `StepgateAndroid` JavaScript interface, `react-native` inside react-native-webview.
 * Checked in that order (react-native-webview on iOS has no `stepgate` handler).
 *
 * @returns The kind, or `undefined` in an ordinary browser.
 * @example
 * if (detectWebview() === 'ios') hideWebAuthnButton();
 */
export function detectWebview(): WebviewKind | undefined {
  const g = globals();
  if (typeof g.webkit?.messageHandlers?.stepgate?.postMessage === 'function') return 'ios';
  if (typeof g.StepgateAndroid?.postMessage === 'function') return 'android';
  if (typeof g.ReactNativeWebView?.postMessage === 'function') return 'react-native';
  return undefined;
}

/** The channel of the detected webview, bound to its receiver; `undefined` outside one. */
export function nativeChannel(): NativeChannel | undefined {
  const g = globals();
  switch (detectWebview()) {
    case 'ios': {
      const handler = g.webkit!.messageHandlers!.stepgate! as { postMessage(body: string): unknown };
      return (json) => handler.postMessage(json);
    }
    case 'android': {
      const api = g.StepgateAndroid as { postMessage(body: string): void };
      return (json) => api.postMessage(json);
    }
    case 'react-native': {
      const api = g.ReactNativeWebView as { postMessage(body: string): void };
      return (json) => api.postMessage(json);
    }
    default:
      return undefined;
  }
}
