/**
 * The `webauthn` method (and `biometric` through WebAuthn): request options at `start`, the
 * assertion at `verify` (docs/design/flows.md "Methods and what they prove"; S11–S14).
 */
import { generateAuthenticationOptions } from '@simplewebauthn/server';
import {
  type Amr,
  type Level,
  levelAtLeast,
  type Requirement,
  StepgateError,
  type WebAuthnStartAnswer,
} from '@stepgate/protocol';
import type { AttestationTrust } from '../attestation/attestation-trust.js';
import type { WebAuthnSettings } from '../config/webauthn-config.js';
import { credentialData, type WebAuthnFactorData } from '../enrollment/credential-data.js';
import type { ChallengeBinding } from '../stores/challenge-store.js';
import type { ChallengeRecord, FactorRecord, Store } from '../stores/store.js';
import type { WebAuthnStore } from '../stores/webauthn-store.js';
import { responseCredentialId, verifyAssertion } from './webauthn-assertion.js';
import { assertionChallenge, newNonce } from './webauthn-challenge.js';

/** What the WebAuthn and device-key methods need beside the challenge dependencies. */
export interface WebAuthnContext {
  settings: WebAuthnSettings;
  store: WebAuthnStore;
  /** Attestation trust anchors by AAGUID (S36). */
  trust: AttestationTrust;
}

/** The methods of this module. */
export type PossessionMethod = 'webauthn' | 'biometric';

/** S11: a WebAuthn challenge lives at most 5 minutes. */
export const WEBAUTHN_CHALLENGE_MS = 300_000;

/** The outcome of a possession check; on success, what the method proved. */
export type PossessionMatch =
  | { ok: true; factor: FactorRecord; level: Level; amr: Amr[] }
  | { ok: false; failure: string; factor?: FactorRecord };

/**
 * The relying party id, or `service_unavailable` when WebAuthn is not configured.
 * @throws StepgateError `service_unavailable`.
 */
export function requireRpId(settings: WebAuthnSettings): string {
  if (settings.rpId === undefined || settings.origins.length === 0) {
    throw new StepgateError('service_unavailable', 'WebAuthn is not configured (webauthn.rpId, origins)');
  }
  return settings.rpId;
}

/** Whether an assertion for this challenge needs user verification (S12). */
export function needsUserVerification(c: ChallengeRecord, method: PossessionMethod): boolean {
  return method === 'biometric' || (JSON.parse(c.requirement) as Requirement).level === 'aal3';
}

/**
 * `start` for `webauthn` and `biometric`: stores a fresh nonce server-side, bound to the
 * challenge (and so to user, session, action and transaction), and answers request options whose
 * challenge is `SHA-256(digest ‖ nonce)` (see `assertionChallenge`). A second `start` replaces
 * the nonce.
 *
 * @throws StepgateError `service_unavailable` when WebAuthn is not configured.
 * @example
 * const { publicKey } = await startPossession(store, wa, challenge, binding, 'webauthn', Date.now());
 */
export async function startPossession(
  store: Store,
  wa: WebAuthnContext,
  c: ChallengeRecord,
  b: ChallengeBinding,
  method: PossessionMethod,
  now: number,
): Promise<WebAuthnStartAnswer> {
  const rpID = requireRpId(wa.settings);
  const uv = needsUserVerification(c, method);
  const nonce = newNonce();
  const expiresAt = Math.min(c.expiresAt, now + WEBAUTHN_CHALLENGE_MS);
  const factors = (await store.listFactors(c.userId)).filter(
    (f) => f.method === method && b.factorIds.includes(f.id),
  );
  const allowCredentials = factors.flatMap((f) => {
    const d = credentialData(f);
    if (d?.kind !== 'webauthn') return [];
    return [d.transports ? { id: d.credentialId, transports: d.transports } : { id: d.credentialId }];
  });
  await wa.store.putChallenge({
    key: c.id,
    purpose: 'authenticate',
    userId: c.userId,
    method,
    nonce,
    userVerification: uv,
    expiresAt,
  });
  const options = await generateAuthenticationOptions({
    rpID,
    challenge: new Uint8Array(Buffer.from(assertionChallenge(c.digest, nonce), 'base64url')),
    timeout: Math.min(wa.settings.timeout * 1000, expiresAt - now),
    userVerification: uv ? 'required' : 'preferred',
    allowCredentials,
  });
  return { publicKey: options as unknown as WebAuthnStartAnswer['publicKey'] };
}

/**
 * Consumes the nonce of a challenge before anything is verified (S11): whatever the outcome,
 * a new assertion needs a new `start`.
 * @returns the challenge bytes (base64url) and whether UV was asked, or undefined.
 */
export async function takeAssertionChallenge(
  wa: WebAuthnContext,
  c: ChallengeRecord,
  method: PossessionMethod,
  now: number,
): Promise<{ challenge: string; userVerification: boolean } | undefined> {
  const taken = await wa.store.takeChallenge(c.id, now);
  if (taken?.purpose !== 'authenticate' || taken.userId !== c.userId || taken.method !== method) {
    return undefined;
  }
  return { challenge: assertionChallenge(c.digest, taken.nonce), userVerification: taken.userVerification };
}

/**
 * What a verified assertion proves (docs/design/flows.md "Methods and what they prove"): the factor's level (aal3 only for a
 * device-bound credential registered with UV), capped at aal2 without UV now or when the
 * assertion says the credential is backed up (S3: a synced credential never counts above aal2);
 * `amr` is `swk` (`hwk` when attestation proved the hardware, S36) + `user`, + `mfa` with UV —
 * never `fpt`/`face`.
 *
 * @example
 * assertionProof(factor, data, { userVerified: true, backedUp: false }); // { level: 'aal3', amr: ['hwk', 'user', 'mfa'] }
 */
export function assertionProof(
  factor: FactorRecord,
  data: WebAuthnFactorData,
  flags: { userVerified: boolean; backedUp: boolean },
): { level: Level; amr: Amr[] } {
  const { userVerified, backedUp } = flags;
  const capped = !userVerified || backedUp;
  const level = capped && levelAtLeast(factor.maxLevel, 'aal3') ? 'aal2' : factor.maxLevel;
  const amr: Amr[] = [data.attested ? 'hwk' : 'swk', 'user'];
  if (userVerified) amr.push('mfa');
  return { level, amr };
}

/**
 * `verify` with a WebAuthn response: the credential must be one of this user's factors that the
 * challenge captured (S13, S24); then {@link verifyAssertion} (its BE flag must equal the one
 * registered, S36); a credential of a model the FIDO metadata now reports compromised fails
 * (S36); then the counter and the backup state are saved with one compare-and-set, only now that
 * every check passed (S14; WebAuthn L3 §7.2).
 */
export async function matchAssertion(
  wa: WebAuthnContext,
  c: ChallengeRecord,
  factors: FactorRecord[],
  method: PossessionMethod,
  response: unknown,
  now: number,
): Promise<PossessionMatch> {
  const taken = await takeAssertionChallenge(wa, c, method, now);
  if (!taken) return { ok: false, failure: 'no_webauthn_challenge' };
  const rpId = requireRpId(wa.settings);
  const id = responseCredentialId(response);
  const factor = factors.find((f) => {
    const d = credentialData(f);
    return d?.kind === 'webauthn' && d.credentialId === id;
  });
  const row = id === undefined ? undefined : await wa.store.getCredential(id);
  if (!factor || !row || row.userId !== c.userId || row.factorId !== factor.id) {
    return { ok: false, failure: 'unknown_credential' };
  }
  const data = credentialData(factor) as WebAuthnFactorData;
  const result = await verifyAssertion({
    response,
    challenge: taken.challenge,
    origins: wa.settings.origins,
    rpId,
    credential: {
      id: row.credentialId,
      publicKey: Buffer.from(data.publicKey, 'base64url'),
      counter: row.counter,
      backupEligible: data.backupEligible,
    },
    requireUserVerification: taken.userVerification || needsUserVerification(c, method),
  });
  if (!result.ok) return { ok: false, failure: result.failure, factor };
  // FIDO MDS3 §3.1.4: a model reported revoked or compromised after this credential registered
  // no longer proves anything (its keys may be extracted or its UV bypassed).
  if (wa.trust.compromised(data.aaguid)) return { ok: false, failure: 'authenticator_compromised', factor };
  const saved = await wa.store.recordAssertion(row.credentialId, row.counter, {
    counter: result.counter,
    backupState: result.backedUp,
  });
  if (!saved) return { ok: false, failure: 'clone_suspected', factor };
  return { ok: true, factor, ...assertionProof(factor, data, result) };
}
