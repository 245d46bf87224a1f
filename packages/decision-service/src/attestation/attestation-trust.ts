/**
 * The attestation trust anchors of one service (docs/security-model.md S36): per authenticator model
 * (AAGUID), the root certificates its attestation may chain to — from `webauthn.attestationRoots`
 * and from the statements of the FIDO MDS3 BLOB named by `webauthn.metadata` — and the model's
 * MDS status. Loaded once at start; each service instance has its own (nothing global, unlike the
 * WebAuthn library's `MetadataService`).
 */

import type { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { StatusReport } from '@simplewebauthn/server';
import type { Logger } from 'pino';
import { ConfigError } from '../config/config-error.js';
import type { WebAuthnSettings } from '../config/webauthn-config.js';
import { parseCertificate } from './certificate-path.js';
import { compromisedStatus, MetadataBlobError, verifyMetadataBlob } from './metadata-blob.js';

/** What one model's attestation is checked against. */
interface ModelTrust {
  roots: X509Certificate[];
  /** A compromising MDS status, when the BLOB reports one. */
  compromised?: StatusReport['status'];
}

/**
 * Trust anchors by AAGUID. Build it with {@link openAttestationTrust}.
 *
 * @example
 * const trust = await openAttestationTrust(config.webauthn, { now: Date.now, log });
 * trust.roots('cb69481e-8ff7-4039-93ec-0a2729a154a8').length; // 1
 */
export class AttestationTrust {
  readonly #models: ReadonlyMap<string, ModelTrust>;

  constructor(models: ReadonlyMap<string, ModelTrust>) {
    this.#models = models;
  }

  /** The root certificates of a model (none when nothing is configured for it). */
  roots(aaguid: string): readonly X509Certificate[] {
    return this.#models.get(aaguid.toLowerCase())?.roots ?? [];
  }

  /** The model's compromising MDS status (REVOKED, USER_KEY_…_COMPROMISE, …), if any. */
  compromised(aaguid: string): StatusReport['status'] | undefined {
    return this.#models.get(aaguid.toLowerCase())?.compromised;
  }
}

/** What {@link openAttestationTrust} needs beside the settings. */
export interface TrustOptions {
  /** Unix ms: the BLOB's signing chain must be valid now; `nextUpdate` is compared with it. */
  now: () => number;
  log: Logger;
}

/** Reads and verifies the BLOB; a problem is a configuration error located at `webauthn.metadata`. */
async function loadBlob(file: string, now: number) {
  const location = { file, path: '/webauthn/metadata' };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(location, 'cannot read the FIDO metadata BLOB', { cause });
  }
  try {
    return await verifyMetadataBlob(text, now);
  } catch (cause) {
    const why = cause instanceof MetadataBlobError ? cause.message : 'it cannot be read';
    throw new ConfigError(location, `the FIDO metadata BLOB is refused: ${why}`, { cause });
  }
}

/**
 * Builds the trust anchors of `settings`: the roots of `webauthn.attestationRoots`, then, when
 * `webauthn.metadata` names a BLOB, the `attestationRootCertificates` and status reports of its
 * FIDO2 statements. A BLOB past its `nextUpdate` is still used, with a `warn` log line at start
 * (refusing to start would turn a missed download into an outage; docs/operators.md says how to
 * refresh it). An allow-listed model without any root is logged too: its registrations can never
 * be attested.
 *
 * @throws ConfigError (located at `/webauthn/metadata`) when the BLOB cannot be read, its chain
 *   does not lead to the FIDO root, its signature does not verify or its payload is malformed.
 * @example
 * const trust = await openAttestationTrust(config.webauthn, { now: Date.now, log });
 */
export async function openAttestationTrust(
  settings: WebAuthnSettings,
  { now, log }: TrustOptions,
): Promise<AttestationTrust> {
  const models = new Map<string, ModelTrust>();
  const model = (aaguid: string) => {
    const m = models.get(aaguid) ?? { roots: [] };
    models.set(aaguid, m);
    return m;
  };
  for (const { aaguid, certificates } of settings.attestationRoots) {
    // The schema's format already refused anything that is not a PEM CA certificate.
    model(aaguid).roots.push(...certificates.flatMap((pem) => parseCertificate(pem) ?? []));
  }
  if (settings.metadata !== undefined) {
    const t = now();
    const blob = await loadBlob(settings.metadata, t);
    for (const [aaguid, entry] of blob.entries) {
      const m = model(aaguid);
      for (const der of entry.metadataStatement?.attestationRootCertificates ?? []) {
        // MDS3 §4: base64 (not base64url) DER.
        const cert = typeof der === 'string' ? parseCertificate(Buffer.from(der, 'base64')) : undefined;
        if (cert?.ca) m.roots.push(cert);
      }
      const compromised = compromisedStatus(entry);
      if (compromised) m.compromised = compromised;
    }
    const stale = blob.nextUpdate < t;
    const fields = {
      file: settings.metadata,
      no: blob.no,
      nextUpdate: new Date(blob.nextUpdate).toISOString(),
    };
    if (stale)
      log.warn(
        fields,
        'webauthn.metadata: the FIDO metadata BLOB is past its nextUpdate; download a fresh one',
      );
    else log.info({ ...fields, models: blob.entries.size }, 'webauthn.metadata: FIDO metadata BLOB loaded');
  }
  for (const aaguid of settings.allowedAuthenticators) {
    if ((models.get(aaguid)?.roots.length ?? 0) === 0) {
      log.warn(
        { aaguid },
        'webauthn: an allowed authenticator has no attestation root; it can never be attested',
      );
    }
  }
  return new AttestationTrust(models);
}
