/**
 * What a WebAuthn or device-key factor keeps in `FactorRecord.data` (public keys and flags: no
 * secret, so stored as plain JSON), and the level such a factor can reach.
 */
import type { FactorView, Level, P256PublicJwk } from '@stepgate/protocol';
import type { FactorRecord } from '../stores/store.js';
import { factorView } from './factor-view.js';

/** A registered WebAuthn credential (method `webauthn` or `biometric`). */
export interface WebAuthnFactorData {
  kind: 'webauthn';
  /** base64url credential id. */
  credentialId: string;
  /** base64url COSE public key. */
  publicKey: string;
  transports?: string[];
  /** BE flag at registration: the credential may be synced (a passkey), so aal2 at most (S3). */
  backupEligible: boolean;
  /** UV flag at registration. */
  userVerified: boolean;
  /**
   * Attestation proved the model: the statement's certificate chain leads to a trust anchor
   * configured for this allow-listed AAGUID (S36, `judgeAttestation`). Only then `amr` says `hwk`.
   */
  attested: boolean;
  aaguid: string;
  fmt: string;
}

/** A native device key (method `biometric`). */
export interface DeviceKeyFactorData {
  kind: 'device-key';
  /** The id the native app sends back with each signature. */
  keyId: string;
  publicKey: P256PublicJwk;
}

/** Data of a possession factor. */
export type CredentialData = WebAuthnFactorData | DeviceKeyFactorData;

/**
 * Reads a factor's credential data, or undefined for a factor of another kind (TOTP) or
 * unreadable data.
 *
 * @example
 * const data = credentialData(factor); // { kind: 'webauthn', credentialId: '…', … }
 */
export function credentialData(factor: FactorRecord): CredentialData | undefined {
  if ((factor.method !== 'webauthn' && factor.method !== 'biometric') || factor.data === undefined) {
    return undefined;
  }
  try {
    const data = JSON.parse(factor.data) as CredentialData;
    return data.kind === 'webauthn' || data.kind === 'device-key' ? data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The highest level a WebAuthn credential can reach (docs/design/flows.md "Methods and what they prove", S3): `aal3` only when
 * device-bound (backup-eligible clear) and registered with user verification; otherwise `aal2`.
 *
 * @example
 * webAuthnMaxLevel({ backupEligible: true, userVerified: true }); // 'aal2'
 */
export function webAuthnMaxLevel(flags: { backupEligible: boolean; userVerified: boolean }): Level {
  return !flags.backupEligible && flags.userVerified ? 'aal3' : 'aal2';
}

/**
 * A factor as the wire shows it, with `backupEligible` for WebAuthn credentials; never its key.
 *
 * @example
 * describeFactor(factor); // { id: 'fac_…', method: 'webauthn', maxLevel: 'aal2', backupEligible: true, … }
 */
export function describeFactor(factor: FactorRecord): FactorView {
  const view = factorView(factor);
  const data = credentialData(factor);
  if (data?.kind === 'webauthn') view.backupEligible = data.backupEligible;
  return view;
}
