import { CompactSign } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Issued, issue, metadataBlob, RSA_KEYS, rootCa } from '../../test/attestation-pki.js';
import { useMetadataRootsForTests } from './fido-mds-roots.js';
import { compromisedStatus, MetadataBlobError, verifyMetadataBlob } from './metadata-blob.js';

const NOW = Date.UTC(2030, 0, 1);
const AAGUID = '6a1b2c3d-0000-4000-8000-00000000aa01';

describe('FIDO MDS3 BLOB verification (S36)', () => {
  let root: Issued;
  let ca: Issued;
  let signer: Issued;
  let restore: () => void;
  beforeAll(async () => {
    root = await rootCa('CN=Test FIDO MDS Root');
    ca = await issue(root, { subject: 'CN=Test MDS CA', ca: true });
    signer = await issue(ca, { subject: 'CN=mds.test' });
    restore = useMetadataRootsForTests([root.pem]);
  });
  afterAll(() => restore?.());

  const sign = (header: Record<string, unknown>, payload: unknown, key = signer.keys.privateKey) =>
    new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader(header as never)
      .sign(key);
  const x5c = () => [signer, ca].map((c) => Buffer.from(c.der).toString('base64'));
  const failure = (jwt: string, now = NOW) =>
    verifyMetadataBlob(jwt, now).then(
      () => 'verified',
      (e: unknown) => (e instanceof MetadataBlobError ? e.message : `unexpected ${e}`),
    );

  it('S36: a BLOB whose x5c (signer, intermediate) chains to the root verifies; entries are keyed by lower-case AAGUID', async () => {
    const jwt = await metadataBlob(
      signer,
      [ca],
      [{ aaguid: AAGUID.toUpperCase(), roots: [root] }],
      '2030-02-01',
      12,
    );
    const blob = await verifyMetadataBlob(`\n${jwt}\n`, NOW);
    expect(blob.no).toBe(12);
    expect(blob.nextUpdate).toBe(Date.UTC(2030, 1, 1));
    expect([...blob.entries.keys()]).toEqual([AAGUID]);
  });

  it('S36: an all-RSA chain signed RS256 (as the real MDS3 BLOB is) verifies', async () => {
    const rsaRoot = await rootCa('CN=Test RSA MDS Root', RSA_KEYS);
    const rsaCa = await issue(rsaRoot, { subject: 'CN=Test RSA MDS CA', ca: true, key: 'rsa' });
    const rsaSigner = await issue(rsaCa, { subject: 'CN=mds.rsa.test', key: 'rsa' });
    const back = useMetadataRootsForTests([rsaRoot.pem]);
    try {
      const jwt = await metadataBlob(rsaSigner, [rsaCa], [{ aaguid: AAGUID, roots: [root] }]);
      expect(JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()).alg).toBe('RS256');
      expect((await verifyMetadataBlob(jwt, NOW)).entries.size).toBe(1);
    } finally {
      back();
      useMetadataRootsForTests([root.pem]);
    }
  });

  it('S36: x5u instead of x5c, another signer’s key, an unlisted algorithm or a malformed payload are refused', async () => {
    const payload = { no: 1, nextUpdate: '2030-02-01', entries: [] };
    expect(await failure(await sign({ alg: 'ES256', x5u: 'https://mds.example/chain' }, payload))).toMatch(
      /no x5c/,
    );
    const stranger = await issue(ca, { subject: 'CN=stranger' });
    expect(
      await failure(await sign({ alg: 'ES256', x5c: x5c() }, payload, stranger.keys.privateKey)),
    ).toMatch(/signature does not verify/);
    const hmac = new Uint8Array(32);
    expect(await failure(await sign({ alg: 'HS256', x5c: x5c() }, payload, hmac as never))).toMatch(
      /signature does not verify/,
    );
    expect(await failure(await sign({ alg: 'ES256', x5c: x5c() }, { no: 1, entries: [] }))).toMatch(
      /lacks no, nextUpdate/,
    );
    expect(await failure(await sign({ alg: 'ES256', x5c: [x5c()[0]!] }, payload))).toMatch(
      /FIDO root \(no_path\)/,
    );
    expect(await failure(await sign({ alg: 'ES256', x5c: x5c() }, payload), Date.UTC(2041, 0, 1))).toMatch(
      /FIDO root \(expired\)/,
    );
  });

  it('S36: any revoked or compromised status report withdraws trust, even when a later report says an update exists', () => {
    const entry = (...statuses: string[]) =>
      ({ statusReports: statuses.map((status) => ({ status, effectiveDate: '2025-01-01' })) }) as never;
    expect(compromisedStatus(entry('FIDO_CERTIFIED_L2'))).toBeUndefined();
    expect(
      compromisedStatus(entry('FIDO_CERTIFIED_L1', 'USER_VERIFICATION_BYPASS', 'UPDATE_AVAILABLE')),
    ).toBe('USER_VERIFICATION_BYPASS');
    for (const s of [
      'REVOKED',
      'ATTESTATION_KEY_COMPROMISE',
      'USER_KEY_REMOTE_COMPROMISE',
      'USER_KEY_PHYSICAL_COMPROMISE',
    ]) {
      expect(compromisedStatus(entry(s))).toBe(s);
    }
    expect(compromisedStatus({} as never)).toBeUndefined();
  });
});
