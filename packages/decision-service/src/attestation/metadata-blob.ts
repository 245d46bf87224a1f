/**
 * The FIDO Metadata Service (MDS3) BLOB: a JWT the operator downloads from
 * https://mds3.fidoalliance.org/ and names in `webauthn.metadata`. Checked as FIDO MDS3 §3.2
 * ("Metadata BLOB object processing rules") asks, without any network access: the `x5c` of its
 * header must chain to the FIDO root (fido-mds-roots.ts), and the JWS must verify with the
 * leaf's key. `x5u` is not followed. CRLs are not fetched either, so a revoked BLOB signer is not
 * detected; the BLOB's own short life (`nextUpdate`, about a month) bounds that.
 */
import type { MetadataBLOBPayloadEntry, StatusReport } from '@simplewebauthn/server';
import { compactVerify, decodeProtectedHeader } from 'jose';
import { parseCertificate, validatePath } from './certificate-path.js';
import { metadataRoots } from './fido-mds-roots.js';

/** JWS algorithms a BLOB may be signed with (MDS3 uses RS256). `none` and HMAC never. */
const BLOB_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];

/** A BLOB that verified: its serial number, next update and the entries that carry an AAGUID. */
export interface MetadataBlob {
  /** The BLOB's serial number (`no`). */
  no: number;
  /** `nextUpdate` as Unix ms (midnight UTC of that date). */
  nextUpdate: number;
  /** FIDO2 entries (those with an `aaguid`), lower-case AAGUID → entry. */
  entries: Map<string, MetadataBLOBPayloadEntry>;
}

/** A BLOB that cannot be used; `message` says why (for the located configuration error). */
export class MetadataBlobError extends Error {
  override readonly name = 'MetadataBlobError';
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Reads the payload's fields this service uses; throws on a shape MDS3 §3.1.6 does not allow. */
function payloadOf(bytes: Uint8Array): MetadataBlob {
  let payload: { no?: unknown; nextUpdate?: unknown; entries?: unknown };
  try {
    payload = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new MetadataBlobError('the payload is not JSON');
  }
  const date = typeof payload.nextUpdate === 'string' ? DATE.exec(payload.nextUpdate) : null;
  if (!Number.isSafeInteger(payload.no) || !date || !Array.isArray(payload.entries)) {
    throw new MetadataBlobError('the payload lacks no, nextUpdate (YYYY-MM-DD) or entries');
  }
  const entries = new Map<string, MetadataBLOBPayloadEntry>();
  for (const entry of payload.entries as MetadataBLOBPayloadEntry[]) {
    if (typeof entry?.aaguid === 'string') entries.set(entry.aaguid.toLowerCase(), entry);
  }
  return {
    no: payload.no as number,
    nextUpdate: Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3])),
    entries,
  };
}

/**
 * Verifies a BLOB and reads its FIDO2 entries.
 *
 * @param jwt The file's text (surrounding whitespace is ignored).
 * @param now Unix ms: certificates of the signing chain must be valid then.
 * @throws MetadataBlobError when the chain does not lead to the FIDO root, the signature does
 *   not verify, or the payload is malformed.
 * @example
 * const blob = await verifyMetadataBlob(readFileSync('fido-mds.jwt', 'utf8'), Date.now());
 * blob.entries.get('cb69481e-8ff7-4039-93ec-0a2729a154a8')?.metadataStatement?.description;
 */
export async function verifyMetadataBlob(jwt: string, now: number): Promise<MetadataBlob> {
  const text = jwt.trim();
  let x5c: unknown;
  try {
    x5c = decodeProtectedHeader(text).x5c;
  } catch {
    throw new MetadataBlobError('not a JWS in compact form');
  }
  if (!Array.isArray(x5c) || x5c.length === 0 || !x5c.every((c) => typeof c === 'string')) {
    throw new MetadataBlobError('the header has no x5c certificate chain');
  }
  const chain = x5c.map((c: string) => Buffer.from(c, 'base64'));
  const path = validatePath(chain, metadataRoots(), now);
  if (!path.ok) {
    throw new MetadataBlobError(`its certificate chain does not lead to the FIDO root (${path.problem})`);
  }
  let payload: Uint8Array;
  try {
    const key = parseCertificate(chain[0]!)!.publicKey;
    ({ payload } = await compactVerify(text, key, { algorithms: BLOB_ALGORITHMS }));
  } catch {
    throw new MetadataBlobError('its signature does not verify');
  }
  return payloadOf(payload);
}

/**
 * The MDS3 §3.1.4 statuses that withdraw trust from a model: a status report with one of them
 * means its authenticators can no longer be told apart from an attacker's.
 */
export const COMPROMISED_STATUSES: ReadonlySet<StatusReport['status']> = new Set([
  'REVOKED',
  'USER_VERIFICATION_BYPASS',
  'ATTESTATION_KEY_COMPROMISE',
  'USER_KEY_REMOTE_COMPROMISE',
  'USER_KEY_PHYSICAL_COMPROMISE',
]);

/**
 * The first compromising status in an entry's reports, or undefined. Any such report counts, even
 * when a later one says an update is available: the service cannot tell a patched authenticator
 * from an unpatched one.
 *
 * @example
 * compromisedStatus(entry); // 'USER_KEY_REMOTE_COMPROMISE' | undefined
 */
export function compromisedStatus(entry: MetadataBLOBPayloadEntry): StatusReport['status'] | undefined {
  return (entry.statusReports ?? []).find((r) => COMPROMISED_STATUSES.has(r.status))?.status;
}
