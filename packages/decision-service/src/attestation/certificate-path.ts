/**
 * Certificate path validation for attestation statements and the FIDO metadata BLOB (docs/security-model.md
 * S36): a certificate counts only when a path leads from it to a configured trust anchor.
 * Built on node:crypto's `X509Certificate` (OpenSSL): `checkIssued` matches the issuer name,
 * the authority/subject key identifiers and the issuer's `keyCertSign` key usage; `verify`
 * checks the signature. Nothing here fetches anything (no CRL, no AIA): the service never
 * reaches the internet.
 */
import { X509Certificate } from 'node:crypto';

/** The longest path accepted (leaf, intermediates, anchor): attestation chains are short. */
export const MAX_PATH_LENGTH = 6;

/** Why a path could not be built; a short code for logs and the audit log. */
export type PathProblem = 'unparsable' | 'too_long' | 'no_path' | 'expired';

/** The outcome of {@link validatePath}. */
export type PathResult = { ok: true; anchor: X509Certificate } | { ok: false; problem: PathProblem };

/**
 * Parses a DER or PEM certificate, or undefined when it is not one.
 *
 * @example
 * parseCertificate(x5c[0]); // X509Certificate { subject: 'CN=…' } | undefined
 */
export function parseCertificate(input: Uint8Array | string): X509Certificate | undefined {
  try {
    return new X509Certificate(typeof input === 'string' ? input : Buffer.from(input));
  } catch {
    return undefined;
  }
}

/** Whether `now` (Unix ms) lies in the certificate's validity period (RFC 5280 §6.1.3 (a)(2)). */
function current(cert: X509Certificate, now: number): boolean {
  return Date.parse(cert.validFrom) <= now && now <= Date.parse(cert.validTo);
}

/** Whether `issuer` issued and signed `cert`, and may issue certificates (a CA). */
function issued(cert: X509Certificate, issuer: X509Certificate): boolean {
  if (!issuer.ca || !cert.checkIssued(issuer)) return false;
  try {
    return cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * Validates a path from `chain[0]` (the attestation or signing certificate) through the other
 * certificates of `chain` (in any order) to one of `anchors`, with every certificate of the path
 * (the anchor included) valid at `now`. Every issuer must be a CA. A certificate that is itself
 * an anchor does not vouch for itself: a self-signed leaf never validates, even when an operator
 * pinned it, so self and surrogate attestation stay unattested (WebAuthn L3 §8.2, §6.5.3).
 *
 * @param chain DER certificates, leaf first (an `x5c`).
 * @param anchors Trust anchors (root or intermediate CA certificates).
 * @param now Unix milliseconds (the service clock).
 * @example
 * const r = validatePath(x5c, roots, Date.now());
 * if (!r.ok) log.info({ problem: r.problem }, 'attestation does not chain to a trust anchor');
 */
export function validatePath(
  chain: readonly (Uint8Array | string)[],
  anchors: readonly X509Certificate[],
  now: number,
): PathResult {
  if (chain.length === 0) return { ok: false, problem: 'no_path' };
  if (chain.length >= MAX_PATH_LENGTH) return { ok: false, problem: 'too_long' };
  const certs = chain.map(parseCertificate);
  if (certs.some((c) => c === undefined)) return { ok: false, problem: 'unparsable' };
  const [leaf, ...rest] = certs as X509Certificate[];
  const path: X509Certificate[] = [leaf!];
  const unused = new Set(rest);
  for (let cur = leaf!; path.length < MAX_PATH_LENGTH; ) {
    const anchor = anchors.find((a) => !a.raw.equals(cur.raw) && issued(cur, a));
    if (anchor) {
      return [...path, anchor].every((c) => current(c, now))
        ? { ok: true, anchor }
        : { ok: false, problem: 'expired' };
    }
    const next = [...unused].find((c) => issued(cur, c));
    if (!next) break;
    unused.delete(next);
    path.push(next);
    cur = next;
  }
  return { ok: false, problem: 'no_path' };
}
