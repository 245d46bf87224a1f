/**
 * The WebAuthn (`webauthn`, `biometric`) ceremony itself: a browser assertion through
 * @simplewebauthn/browser, or — inside a mobile webview without WebAuthn — a signature by the
 * app's enrolled device key through sdk-core's native bridge (never a bare "success" flag,
 * docs/design/flows.md "Methods and what they prove"). It imports nothing of the widget but types: the standalone challenge
 * bundle loads it on demand from its sibling `step-up-webauthn.min.js` (package.json
 * `stepgate.lazy`), so pages whose users type a code never download it (docs/design/README.md's 15 KiB budget).
 */
import {
  browserSupportsWebAuthn,
  type PublicKeyCredentialRequestOptionsJSON,
  startAuthentication,
  WebAuthnAbortService,
} from '@simplewebauthn/browser';
import type { Method, VerifyRequest, WebAuthnJson, WebAuthnStartAnswer } from '@stepgate/protocol';
import { detectWebview, signWithNativeDeviceKey } from '@stepgate/sdk-core';

/** The methods that run a WebAuthn ceremony. */
export type WebAuthnMethod = Extract<Method, 'webauthn' | 'biometric'>;

/** The error codes the ceremony reports through its `fail` callback. */
export type CeremonyErrorCode =
  | 'webauthn_unavailable'
  | 'webauthn_cancelled'
  | 'native_failed'
  | 'invalid_response';

/** What the ceremony needs from the element: how to start the method, and how to make an error. */
export interface CeremonyOptions {
  method: WebAuthnMethod;
  challengeId: string;
  /** Calls the challenge's `start` for `method`. */
  start: () => Promise<WebAuthnStartAnswer>;
  signal: AbortSignal;
  /** Builds the element's error (its own `WidgetError` class: this module may be another bundle's copy). */
  fail: (code: CeremonyErrorCode, message: string, cause?: unknown) => Error;
}

/** Names that mean "the user (or the platform) declined": cancelled, timed out, no credential. */
const DECLINED = new Set(['NotAllowedError', 'AbortError']);

/**
 * Starts the method and performs the ceremony; resolves with the body for `/verify`.
 *
 * @throws what `fail` builds: `webauthn_unavailable` (no WebAuthn and no native bridge, or the
 *   authenticator failed), `webauthn_cancelled` (declined or timed out), `native_failed`,
 *   `invalid_response`; an error of `start` as is; the signal's reason on abort.
 */
export async function webauthnCeremony(o: CeremonyOptions): Promise<VerifyRequest> {
  const { method, signal, fail } = o;
  const inBrowser = browserSupportsWebAuthn();
  if (!inBrowser && !(method === 'biometric' && detectWebview())) {
    throw fail('webauthn_unavailable', 'No WebAuthn');
  }
  const { publicKey } = await o.start();
  if (typeof publicKey?.challenge !== 'string') throw fail('invalid_response', 'No WebAuthn options');
  if (!inBrowser) {
    try {
      const deviceKey = await signWithNativeDeviceKey(
        { challengeId: o.challengeId, challenge: publicKey.challenge },
        { signal },
      );
      return { method: 'biometric', deviceKey };
    } catch (cause) {
      if (signal.aborted) throw signal.reason;
      throw fail('native_failed', 'The app could not confirm', cause);
    }
  }
  const stop = () => WebAuthnAbortService.cancelCeremony();
  signal.addEventListener('abort', stop, { once: true });
  try {
    const optionsJSON = publicKey as unknown as PublicKeyCredentialRequestOptionsJSON;
    const response = await startAuthentication({ optionsJSON });
    return { method, response: response as unknown as WebAuthnJson };
  } catch (cause) {
    if (signal.aborted) throw signal.reason;
    const name = ((cause as { cause?: Error }).cause ?? (cause as Error)).name;
    throw fail(
      DECLINED.has(name) ? 'webauthn_cancelled' : 'webauthn_unavailable',
      (cause as Error).message,
      cause,
    );
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
