/**
 * Whether a registration's attestation proves the authenticator model (docs/security-model.md S36). The
 * WebAuthn library verifies the statement's signature and format rules, but it skips the
 * certificate path when it has no roots for a format, so any `x5c` passed. Here the path must
 * lead to a trust anchor configured for the model's AAGUID.
 */
import { decodeAttestationObject } from '@simplewebauthn/server/helpers';
import type { AttestationTrust } from './attestation-trust.js';
import { validatePath } from './certificate-path.js';

/** Short codes for the audit log: why an attestation did not count, or `proven`. */
export type AttestationReason =
  | 'proven'
  /** `fmt: none`: the authenticator or the browser gave no attestation. */
  | 'attestation_none'
  /** No certificate: self attestation (WebAuthn L3 §6.5.3), or a format without `x5c`. */
  | 'attestation_self'
  /** The AAGUID is not in `webauthn.allowedAuthenticators`. */
  | 'attestation_not_allowed'
  /** No trust anchor is configured for the AAGUID. */
  | 'attestation_no_root'
  /** The `x5c` does not chain to the model's roots: self-signed, surrogate or another vendor's. */
  | 'attestation_untrusted'
  /** A certificate of the path is outside its validity period. */
  | 'attestation_expired'
  /** The `x5c` cannot be parsed or is too long. */
  | 'attestation_malformed'
  /** The FIDO metadata reports the model revoked or compromised. */
  | 'authenticator_compromised';

/** The outcome of {@link judgeAttestation}. */
export interface AttestationVerdict {
  /** The attestation proved an allow-listed model. */
  attested: boolean;
  reason: AttestationReason;
  /** Refuse the registration whatever `requireAttestation` says (a compromised model). */
  refuse: boolean;
}

/** What {@link judgeAttestation} reads from a verified registration. */
export interface RegistrationAttestation {
  fmt: string;
  aaguid: string;
  /** The CBOR attestation object. */
  attestationObject: Uint8Array;
}

const PATH_REASONS = {
  no_path: 'attestation_untrusted',
  expired: 'attestation_expired',
  unparsable: 'attestation_malformed',
  too_long: 'attestation_malformed',
} as const;

/**
 * Judges a registration whose statement signature the library already verified: attested only
 * when the AAGUID is allow-listed and the statement's `x5c` chains to a root configured for that
 * AAGUID (WebAuthn L3 §7.1 step "assess the attestation trustworthiness"). A model the FIDO
 * metadata reports as revoked or compromised is refused outright.
 *
 * @param now Unix ms (the service clock): certificates must be valid then.
 * @example
 * const v = judgeAttestation(trust, ['cb69481e-…'], info, Date.now());
 * if (requireAttestation && !v.attested) fail(v.reason);
 */
export function judgeAttestation(
  trust: AttestationTrust,
  allowed: readonly string[],
  reg: RegistrationAttestation,
  now: number,
): AttestationVerdict {
  const aaguid = reg.aaguid.toLowerCase();
  const no = (reason: AttestationReason, refuse = false): AttestationVerdict => ({
    attested: false,
    reason,
    refuse,
  });
  if (trust.compromised(aaguid)) return no('authenticator_compromised', true);
  if (reg.fmt === 'none') return no('attestation_none');
  if (!allowed.includes(aaguid)) return no('attestation_not_allowed');
  const x5c: unknown = decodeAttestationObject(new Uint8Array(reg.attestationObject))
    .get('attStmt')
    .get('x5c');
  if (!Array.isArray(x5c) || x5c.length === 0 || !x5c.every((c) => c instanceof Uint8Array)) {
    return no('attestation_self');
  }
  const roots = trust.roots(aaguid);
  if (roots.length === 0) return no('attestation_no_root');
  const path = validatePath(x5c, roots, now);
  return path.ok ? { attested: true, reason: 'proven', refuse: false } : no(PATH_REASONS[path.problem]);
}
