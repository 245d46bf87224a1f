/**
 * Runs a WebAuthn (`webauthn`, `biometric`) check and returns the body for `/verify`: the
 * ceremony (webauthn-ceremony.ts) with this widget's `start` call and errors.
 */
import type { VerifyRequest, WebAuthnStartAnswer } from '@stepgate/protocol';
import { type ClientOptions, startMethod } from '../api-client.js';
import { WidgetError } from '../errors.js';
import { type WebAuthnMethod, webauthnCeremony } from './webauthn-ceremony.js';

export type { WebAuthnMethod } from './webauthn-ceremony.js';

/**
 * Starts `method` on the challenge and performs the ceremony.
 *
 * @param client - The signal, and the origins `challengeUrl` may be on besides the page's.
 * @throws {WidgetError} `webauthn_unavailable` (no WebAuthn and no native bridge, or the
 *   authenticator failed), `webauthn_cancelled` (declined or timed out), `native_failed`, or an
 *   error of the `start` call (`origin_not_allowed` among them). An abort rethrows the signal's reason.
 */
export function webauthnProof(
  challengeUrl: string,
  challengeId: string,
  method: WebAuthnMethod,
  client: ClientOptions & { signal: AbortSignal },
): Promise<VerifyRequest> {
  return webauthnCeremony({
    method,
    challengeId,
    signal: client.signal,
    start: async () => (await startMethod(challengeUrl, method, client)) as WebAuthnStartAnswer,
    fail: (code, message, cause) => new WidgetError(code, message, { cause }),
  });
}
