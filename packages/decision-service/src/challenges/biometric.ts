/**
 * The `biometric` method: a WebAuthn assertion with user verification required (a platform
 * authenticator's gesture), or — in a mobile webview — a signature by a native device key
 * enrolled as a factor (docs/design/flows.md "Methods and what they prove"). Never a bare "success" flag.
 */
import type { DeviceKeyAssertion, VerifyRequest } from '@stepgate/protocol';
import { credentialData, type DeviceKeyFactorData } from '../enrollment/credential-data.js';
import type { ChallengeRecord, FactorRecord } from '../stores/store.js';
import { verifyDeviceKeySignature } from './device-key.js';
import {
  matchAssertion,
  type PossessionMatch,
  takeAssertionChallenge,
  type WebAuthnContext,
} from './webauthn.js';

/**
 * `verify` with a native device-key signature over the challenge bytes — the same bytes the
 * `start` answer's `publicKey.challenge` carries. The nonce is consumed first, so a signature
 * works once (S11). `amr` is `swk` + `user` + `mfa`: the key is device-bound, but Stepgate cannot
 * see which gesture unlocked it.
 *
 * @example
 * await matchDeviceKey(wa, challenge, factors, { keyId: 'dk_…', signature: 'MEUCI…' }, Date.now());
 */
export async function matchDeviceKey(
  wa: WebAuthnContext,
  c: ChallengeRecord,
  factors: FactorRecord[],
  assertion: DeviceKeyAssertion,
  now: number,
): Promise<PossessionMatch> {
  const taken = await takeAssertionChallenge(wa, c, 'biometric', now);
  if (!taken) return { ok: false, failure: 'no_webauthn_challenge' };
  const factor = factors.find((f) => {
    const d = credentialData(f);
    return d?.kind === 'device-key' && d.keyId === assertion.keyId;
  });
  if (!factor) return { ok: false, failure: 'unknown_credential' };
  const data = credentialData(factor) as DeviceKeyFactorData;
  const bytes = Buffer.from(taken.challenge, 'base64url');
  if (!verifyDeviceKeySignature(data.publicKey, bytes, assertion.signature)) {
    return { ok: false, failure: 'signature', factor };
  }
  return { ok: true, factor, level: factor.maxLevel, amr: ['swk', 'user', 'mfa'] };
}

/**
 * `verify` for `webauthn` and `biometric`, by body: a WebAuthn `response` (UV required for
 * biometric), or a `deviceKey` signature (biometric only).
 *
 * @example
 * const match = await matchPossession(wa, challenge, factors, body, Date.now());
 */
export async function matchPossession(
  wa: WebAuthnContext,
  c: ChallengeRecord,
  factors: FactorRecord[],
  body: VerifyRequest,
  now: number,
): Promise<PossessionMatch> {
  if (body.method === 'biometric' && 'deviceKey' in body) {
    return matchDeviceKey(wa, c, factors, body.deviceKey, now);
  }
  if ((body.method === 'webauthn' || body.method === 'biometric') && 'response' in body) {
    return matchAssertion(wa, c, factors, body.method, body.response, now);
  }
  return { ok: false, failure: 'method_unavailable' };
}
