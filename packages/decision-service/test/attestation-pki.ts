/**
 * Test PKI for WebAuthn attestation (S36): root and intermediate CAs, packed attestation
 * certificates (WebAuthn L3 §8.2.1 requirements: OU "Authenticator Attestation", CA false, the
 * id-fido-gen-ce-aaguid extension) and FIDO MDS3-style BLOBs, generated with @peculiar/x509 and
 * signed with jose. Valid 2020–2040, so both the library's wall-clock checks and the service's
 * test clock (2030) are inside every validity period.
 */
import 'reflect-metadata';
import type { webcrypto } from 'node:crypto';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  Extension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectKeyIdentifierExtension,
  type X509Certificate,
  X509CertificateGenerator,
} from '@peculiar/x509';
import { CompactSign } from 'jose';

/** A WebCrypto key pair (Node's `webcrypto` types: this package has no DOM lib). */
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
/** RSA, as the real MDS3 chain uses (GlobalSign R3, RS256). */
const RSA = {
  name: 'RSASSA-PKCS1-v1_5',
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
} as const;
type KeyAlgorithm = typeof ALG | typeof RSA;
/** The RSA key algorithm, for {@link rootCa}. */
export const RSA_KEYS = RSA;
const NOT_BEFORE = new Date(Date.UTC(2020, 0, 1));
const NOT_AFTER = new Date(Date.UTC(2040, 0, 1));

/** A certificate and its key pair. */
export interface Issued {
  cert: X509Certificate;
  keys: CryptoKeyPair;
  /** DER bytes. */
  der: Uint8Array;
  pem: string;
}

const newKeys = (alg: KeyAlgorithm = ALG) =>
  crypto.subtle.generateKey(alg, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
const issued = (cert: X509Certificate, keys: CryptoKeyPair): Issued => ({
  cert,
  keys,
  der: new Uint8Array(cert.rawData),
  pem: cert.toString('pem'),
});

/** A self-signed CA. */
export async function rootCa(
  name = 'CN=Stepgate Test Attestation Root, O=Stepgate Test, C=DE',
  alg: KeyAlgorithm = ALG,
): Promise<Issued> {
  const keys = await newKeys(alg);
  const cert = await X509CertificateGenerator.createSelfSigned({
    name,
    keys,
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    signingAlgorithm: ALG,
    extensions: [
      new BasicConstraintsExtension(true, undefined, true),
      new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
      await SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return issued(cert, keys);
}

/** Options of {@link issue}. */
export interface IssueOptions {
  subject: string;
  ca?: boolean;
  /** The id-fido-gen-ce-aaguid extension (1.3.6.1.4.1.45724.1.1.4). */
  aaguid?: string;
  notBefore?: Date;
  notAfter?: Date;
  /** The new certificate's key: ECDSA P-256, or RSA 2048. @defaultValue 'ec' */
  key?: 'ec' | 'rsa';
}

/** A certificate issued by `issuer`. */
export async function issue(issuer: Issued, o: IssueOptions): Promise<Issued> {
  const keys = await newKeys(o.key === 'rsa' ? RSA : ALG);
  const extensions: Extension[] = [
    new BasicConstraintsExtension(o.ca ?? false, undefined, true),
    await AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey),
    await SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (o.ca) extensions.push(new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true));
  if (o.aaguid) {
    // extnValue is the DER OCTET STRING of the 16 AAGUID bytes (WebAuthn L3 §8.2.1).
    const bytes = Buffer.from(o.aaguid.replaceAll('-', ''), 'hex');
    extensions.push(
      new Extension('1.3.6.1.4.1.45724.1.1.4', false, Buffer.concat([Buffer.from([4, 16]), bytes])),
    );
  }
  const cert = await X509CertificateGenerator.create({
    subject: o.subject,
    issuer: issuer.cert.subject,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    notBefore: o.notBefore ?? NOT_BEFORE,
    notAfter: o.notAfter ?? NOT_AFTER,
    signingAlgorithm: ALG,
    extensions,
  });
  return issued(cert, keys);
}

/** A packed attestation certificate for a model, issued by `issuer`. */
export const attestationCert = (issuer: Issued, aaguid: string, over: Partial<IssueOptions> = {}) =>
  issue(issuer, {
    subject: 'C=DE, O=Stepgate Test, OU=Authenticator Attestation, CN=Test Batch',
    aaguid,
    ...over,
  });

/** A self-signed attestation certificate: the surrogate a software authenticator can make for itself. */
export async function selfSignedAttestation(aaguid: string): Promise<Issued> {
  const keys = await newKeys();
  const cert = await X509CertificateGenerator.createSelfSigned({
    name: 'C=DE, O=Stepgate Test, OU=Authenticator Attestation, CN=Self Batch',
    keys,
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    signingAlgorithm: ALG,
    extensions: [
      new BasicConstraintsExtension(false, undefined, true),
      new Extension(
        '1.3.6.1.4.1.45724.1.1.4',
        false,
        Buffer.concat([Buffer.from([4, 16]), Buffer.from(aaguid.replaceAll('-', ''), 'hex')]),
      ),
    ],
  });
  return issued(cert, keys);
}

/** One entry of a test BLOB. */
export interface BlobEntry {
  aaguid: string;
  roots: Issued[];
  statuses?: string[];
}

/**
 * An MDS3-style BLOB (FIDO MDS3 §3.1.6): a JWS (ES256) whose `x5c` is `[signer, …chain]`.
 * @param nextUpdate `YYYY-MM-DD`.
 */
export async function metadataBlob(
  signer: Issued,
  chain: Issued[],
  entries: BlobEntry[],
  nextUpdate = '2031-01-01',
  no = 7,
): Promise<string> {
  const payload = {
    legalHeader: 'Test metadata, not for production.',
    no,
    nextUpdate,
    entries: entries.map((e) => ({
      aaguid: e.aaguid,
      metadataStatement: {
        legalHeader: '',
        aaguid: e.aaguid,
        description: `Test authenticator ${e.aaguid}`,
        authenticatorVersion: 1,
        protocolFamily: 'fido2',
        schema: 3,
        attestationTypes: ['basic_full'],
        attestationRootCertificates: e.roots.map((r) => Buffer.from(r.der).toString('base64')),
      },
      statusReports: (e.statuses ?? ['FIDO_CERTIFIED_L1']).map((status) => ({
        status,
        effectiveDate: '2025-01-01',
      })),
      timeOfLastStatusChange: '2025-01-01',
    })),
  };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({
      alg: signer.keys.privateKey.algorithm.name === 'ECDSA' ? 'ES256' : 'RS256',
      typ: 'JWT',
      x5c: [signer, ...chain].map((c) => Buffer.from(c.der).toString('base64')),
    })
    .sign(signer.keys.privateKey);
}
