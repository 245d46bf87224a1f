import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  attestationCert,
  type Issued,
  issue,
  rootCa,
  selfSignedAttestation,
} from '../../test/attestation-pki.js';
import { validatePath } from './certificate-path.js';

const NOW = Date.UTC(2030, 0, 1);
const AAGUID = '6a1b2c3d-0000-4000-8000-00000000aa01';
const anchor = (i: Issued) => new X509Certificate(i.pem);

describe('certificate paths to a trust anchor (S36)', () => {
  let root: Issued;
  let ca1: Issued;
  let ca2: Issued;
  beforeAll(async () => {
    root = await rootCa();
    ca1 = await issue(root, { subject: 'CN=CA 1', ca: true });
    ca2 = await issue(ca1, { subject: 'CN=CA 2', ca: true });
  });

  it('S36: a leaf issued by the anchor, or through intermediates in any order, validates', async () => {
    const direct = await attestationCert(root, AAGUID);
    expect(validatePath([direct.der], [anchor(root)], NOW)).toMatchObject({ ok: true });
    const deep = await attestationCert(ca2, AAGUID);
    expect(validatePath([deep.der, ca1.der, ca2.der], [anchor(root)], NOW)).toMatchObject({ ok: true });
    // The root itself at the end of the x5c (some vendors send it) changes nothing.
    expect(validatePath([deep.der, ca2.der, ca1.der, root.der], [anchor(root)], NOW)).toMatchObject({
      ok: true,
    });
    // An intermediate can be the anchor.
    expect(validatePath([deep.der], [anchor(ca2)], NOW)).toMatchObject({ ok: true });
  });

  it('S36: a self-signed certificate does not vouch for itself, even when configured as an anchor', async () => {
    const self = await selfSignedAttestation(AAGUID);
    expect(validatePath([self.der], [anchor(root)], NOW)).toEqual({ ok: false, problem: 'no_path' });
    expect(validatePath([self.der], [anchor(self)], NOW)).toEqual({ ok: false, problem: 'no_path' });
    // A self-signed CA presented as the leaf is not its own path either.
    expect(validatePath([root.der], [anchor(root)], NOW)).toEqual({ ok: false, problem: 'no_path' });
  });

  it('S36: a missing intermediate, an issuer that is not a CA, or another root give no path', async () => {
    const deep = await attestationCert(ca2, AAGUID);
    expect(validatePath([deep.der, ca2.der], [anchor(root)], NOW)).toEqual({ ok: false, problem: 'no_path' });
    const notCa = await issue(root, { subject: 'CN=Not a CA' });
    const underNotCa = await attestationCert(notCa, AAGUID);
    expect(validatePath([underNotCa.der, notCa.der], [anchor(root)], NOW)).toEqual({
      ok: false,
      problem: 'no_path',
    });
    const other = await rootCa('CN=Other Root');
    expect(validatePath([deep.der, ca1.der, ca2.der], [anchor(other)], NOW)).toEqual({
      ok: false,
      problem: 'no_path',
    });
  });

  it('S36: every certificate of the path must be valid at the service clock', async () => {
    const leaf = await attestationCert(root, AAGUID, { notAfter: new Date(Date.UTC(2029, 0, 1)) });
    expect(validatePath([leaf.der], [anchor(root)], NOW)).toEqual({ ok: false, problem: 'expired' });
    expect(validatePath([leaf.der], [anchor(root)], Date.UTC(2028, 0, 1))).toMatchObject({ ok: true });
    const fine = await attestationCert(root, AAGUID);
    expect(validatePath([fine.der], [anchor(root)], Date.UTC(2045, 0, 1))).toEqual({
      ok: false,
      problem: 'expired',
    });
  });

  it('S36: garbage and overlong chains are refused', async () => {
    expect(validatePath([new Uint8Array([1, 2, 3])], [anchor(root)], NOW)).toEqual({
      ok: false,
      problem: 'unparsable',
    });
    expect(validatePath([], [anchor(root)], NOW)).toEqual({ ok: false, problem: 'no_path' });
    expect(validatePath(Array(6).fill(root.der), [anchor(root)], NOW)).toEqual({
      ok: false,
      problem: 'too_long',
    });
  });
});
