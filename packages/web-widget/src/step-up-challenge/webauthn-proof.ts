/**
 * Runs a WebAuthn (`webauthn`, `biometric`) check and returns the body for `/verify`: a browser
 * assertion through @simplewebauthn/browser, or — inside a mobile webview without WebAuthn —
 * a signature by the app's enrolled device key through sdk-core's native bridge (never a bare
 * "success" flag, docs/design/flows.md "Methods and what they prove").
 */
import {
  browserSupportsWebAuthn,
  type PublicKeyCredentialRequestOptionsJSON,
  startAuthentication,
  WebAuthnAbortService,
} from '@simplewebauthn/browser';
import type { Method, VerifyRequest, WebAuthnJson, WebAuthnStartAnswer } from '@stepgate/protocol';
import { detectWebview, signWithNativeDeviceKey } from '@stepgate/sdk-core';
import { type ClientOptions, startMethod } from '../api-client.js';
import { WidgetError } from '../errors.js';

/** The methods that run a WebAuthn ceremony. */
export type WebAuthnMethod = Extract<Method, 'webauthn' | 'biometric'>;

/** Names that mean "the user (or the platform) declined": cancelled, timed out, no credential. */
const DECLINED = new Set(['NotAllowedError', 'AbortError']);

/**
 * Starts `method` on the challenge and performs the ceremony.
 *
 * @param client - The signal, and the origins `challengeUrl` may be on besides the page's.
 * @throws {WidgetError} `webauthn_unavailable` (no WebAuthn and no native bridge, or the
 *   authenticator failed), `webauthn_cancelled` (declined or timed out), `native_failed`, or an
 *   error of the `start` call (`origin_not_allowed` among them). An abort rethrows the signal's reason.
 */
export async function webauthnProof(
  challengeUrl: string,
  challengeId: string,
  method: WebAuthnMethod,
  client: ClientOptions & { signal: AbortSignal },
): Promise<VerifyRequest> {
  const { signal } = client;
  const inBrowser = browserSupportsWebAuthn();
  if (!inBrowser && !(method === 'biometric' && detectWebview())) {
    throw new WidgetError('webauthn_unavailable', 'No WebAuthn');
  }
  const { publicKey } = (await startMethod(challengeUrl, method, client)) as WebAuthnStartAnswer;
  if (typeof publicKey?.challenge !== 'string') {
    throw new WidgetError('invalid_response', 'No WebAuthn options');
  }
  if (!inBrowser) {
    try {
      const deviceKey = await signWithNativeDeviceKey(
        { challengeId, challenge: publicKey.challenge },
        { signal },
      );
      return { method: 'biometric', deviceKey };
    } catch (cause) {
      if (signal.aborted) throw signal.reason;
      throw new WidgetError('native_failed', 'The app could not confirm', { cause });
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
    const code = DECLINED.has(name) ? 'webauthn_cancelled' : 'webauthn_unavailable';
    throw new WidgetError(code, (cause as Error).message, { cause });
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
