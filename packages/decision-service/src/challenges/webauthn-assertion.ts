/**
 * One WebAuthn assertion checked end to end (S12, S14, S36): our `clientDataJSON` checks, then
 * @simplewebauthn/server for rpIdHash, user presence, user verification, the BS-without-BE rule
 * and the signature, then the backup-eligible flag against registration and the signature
 * counter. Pure: the caller consumes the challenge and saves the counter and backup state.
 */
import { type AuthenticationResponseJSON, verifyAuthenticationResponse } from '@simplewebauthn/server';
import { type ClientDataExpectation, checkClientData } from './webauthn-challenge.js';

/** What {@link verifyAssertion} checks against. */
export interface AssertionExpectation {
  /** The `PublicKeyCredential` JSON from the browser. */
  response: unknown;
  /** base64url challenge bytes. */
  challenge: string;
  origins: ClientDataExpectation['origins'];
  rpId: string;
  /** The stored credential, with the BE flag it was registered with. */
  credential: { id: string; publicKey: Uint8Array; counter: number; backupEligible: boolean };
  /** S12: required for biometric and whenever the result counts as aal3. */
  requireUserVerification: boolean;
}

/** The outcome; `failure` is a short code for the audit log, never shown to the caller (S10). */
export type AssertionResult =
  | { ok: true; counter: number; userVerified: boolean; backedUp: boolean }
  | { ok: false; failure: string };

/** The credential id a response names, or undefined when it is not a plausible one. */
export function responseCredentialId(response: unknown): string | undefined {
  const id = (response as { id?: unknown } | null)?.id;
  return typeof id === 'string' && /^[A-Za-z0-9_-]{1,1400}$/.test(id) ? id : undefined;
}

/** Maps the library's error messages to short failure codes. */
function failureOf(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  if (/User verification/i.test(message)) return 'user_verification';
  if (/backed up/i.test(message)) return 'backup_state_without_eligibility';
  if (/not present/i.test(message)) return 'user_presence';
  if (/RP ID/i.test(message)) return 'rp_id';
  if (/signature/i.test(message)) return 'signature';
  return 'invalid_assertion';
}

/**
 * Verifies an assertion. The library gets counter 0 so that it never throws on the counter:
 * the counter is compared here, after the signature proved the assertion genuine, so that a
 * clone suspicion is only ever raised by a real authenticator's output (S14: new ≤ stored, either
 * non-zero).
 *
 * @example
 * const r = await verifyAssertion({ response, challenge, origins: ['https://app.example'],
 *   rpId: 'app.example', credential, requireUserVerification: true });
 * if (r.ok) await store.recordAssertion(credential.id, credential.counter, { counter: r.counter, backupState: r.backedUp });
 */
export async function verifyAssertion(p: AssertionExpectation): Promise<AssertionResult> {
  const response = p.response as AuthenticationResponseJSON;
  if (responseCredentialId(response) !== p.credential.id) return { ok: false, failure: 'credential' };
  if (response.type !== 'public-key' || typeof response.response !== 'object' || response.response === null) {
    return { ok: false, failure: 'malformed' };
  }
  const clientData = checkClientData(response.response.clientDataJSON, {
    type: 'webauthn.get',
    challenge: p.challenge,
    origins: p.origins,
  });
  if (clientData !== undefined) return { ok: false, failure: clientData };
  let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: p.challenge,
      expectedOrigin: [...p.origins],
      expectedRPID: p.rpId,
      expectedType: 'webauthn.get',
      credential: { id: p.credential.id, publicKey: new Uint8Array(p.credential.publicKey), counter: 0 },
      requireUserVerification: p.requireUserVerification,
    });
  } catch (error) {
    return { ok: false, failure: failureOf(error) };
  }
  if (!verified.verified) return { ok: false, failure: 'signature' };
  const info = verified.authenticationInfo;
  // WebAuthn L3 §7.2 (credential backup state steps): BE is a permanent property of the
  // credential (§6.1.3), so it must equal the registered value. A device-bound credential that now
  // says it may be synced, or the reverse, is not the authenticator that registered. Checked after
  // the signature, so only a genuine assertion's flags are judged.
  if ((info.credentialDeviceType === 'multiDevice') !== p.credential.backupEligible) {
    return { ok: false, failure: 'backup_eligibility_changed' };
  }
  const stored = p.credential.counter;
  // W3C WebAuthn L3 §6.1.1: a counter that did not grow signals a possible cloned authenticator.
  if ((info.newCounter > 0 || stored > 0) && info.newCounter <= stored) {
    return { ok: false, failure: 'clone_suspected' };
  }
  return {
    ok: true,
    counter: info.newCounter,
    userVerified: info.userVerified,
    backedUp: info.credentialBackedUp,
  };
}
