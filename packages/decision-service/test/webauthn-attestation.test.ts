import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useMetadataRootsForTests } from '../src/attestation/fido-mds-roots.js';
import { ConfigError } from '../src/index.js';
import {
  attestationCert,
  type Issued,
  issue,
  metadataBlob,
  rootCa,
  selfSignedAttestation,
} from './attestation-pki.js';
import { freshDir } from './helpers.js';
import { SoftAuthenticator, type SoftAuthenticatorOptions } from './soft-authenticator.js';
import {
  assert,
  decide,
  registerCredential,
  startWebAuthnService,
  type WebAuthnCtx,
} from './webauthn-helpers.js';

/** Attestation trust (S36) with a software authenticator that signs packed statements. */
const ORIGIN = 'http://localhost:5173';
const MODEL = '6a1b2c3d-0000-4000-8000-00000000aa01';
const OTHER = '6a1b2c3d-0000-4000-8000-00000000bb02';

let root: Issued;
let otherRoot: Issued;
beforeAll(async () => {
  [root, otherRoot] = await Promise.all([rootCa(), rootCa('CN=Other Vendor Root, O=Other, C=FR')]);
});

const soft = (attestation: SoftAuthenticatorOptions['attestation'], aaguid = MODEL) =>
  new SoftAuthenticator({ aaguid, attestation, origin: ORIGIN });
const full = async (issuer: Issued, aaguid = MODEL) => {
  const leaf = await attestationCert(issuer, aaguid);
  return soft({ type: 'full', x5c: [leaf], signer: leaf }, aaguid);
};

/** The failure codes audited for a user's refused registrations. */
async function rejections(ctx: WebAuthnCtx, user: string): Promise<string[]> {
  const audit = await ctx.admin('GET', `/v1/audit?user=${user}&type=factor.rejected`);
  return audit.body.records
    .map((r: { event: { detail?: { failure?: string } } }) => r.event.detail?.failure)
    .sort();
}

/** Steps a user up for an aal3 wire with the authenticator; answers the verify answer. */
async function wire(ctx: WebAuthnCtx, user: string, a: SoftAuthenticator) {
  const d = await decide(ctx, user, 'payments.wire', { amount: 9, currency: 'EUR', payee: 'W' });
  expect(d.decision).toBe('step_up');
  const { response } = await assert(ctx, a, d.challenge.id);
  return ctx.browser('POST', `/v1/challenges/${d.challenge.id}/verify`, { method: 'webauthn', response });
}

describe('WebAuthn attestation trust anchors: webauthn.attestationRoots', () => {
  let strict: WebAuthnCtx;
  let open: WebAuthnCtx;
  beforeAll(async () => {
    const webauthn = {
      rpId: 'localhost',
      allowedAuthenticators: [MODEL, OTHER],
      attestationRoots: [
        { aaguid: MODEL, certificates: [root.pem] },
        { aaguid: OTHER, certificates: [otherRoot.pem] },
      ],
    };
    strict = await startWebAuthnService(ORIGIN, {
      config: { webauthn: { ...webauthn, requireAttestation: true } },
    });
    open = await startWebAuthnService(ORIGIN, { config: { webauthn } });
  });
  afterAll(async () => {
    await strict?.svc.close();
    await open?.svc.close();
  });

  it('S36: a packed statement chained to the per-AAGUID root is attested: it registers under requireAttestation and its assertion says amr hwk', async () => {
    const a = await full(root);
    const added = await registerCredential(strict, a, 'ann');
    expect(added.status).toBe(200);
    expect(added.body.factor).toMatchObject({ method: 'webauthn', maxLevel: 'aal3' });
    const ok = await wire(strict, 'ann', a);
    expect(ok.status).toBe(200);
    expect(ok.body.amr).toEqual(['hwk', 'user', 'mfa']);
  });

  it('S36: a chain through an intermediate CA to the root is attested too', async () => {
    const intermediate = await issue(root, {
      subject: 'CN=Test Attestation CA 1, O=Stepgate Test, C=DE',
      ca: true,
    });
    const leaf = await attestationCert(intermediate, MODEL);
    const a = soft({ type: 'full', x5c: [leaf, intermediate], signer: leaf });
    expect((await registerCredential(strict, a, 'bea')).status).toBe(200);
    expect((await wire(strict, 'bea', a)).body.amr).toContain('hwk');
  });

  it('S36, S12: a packed statement with a self-signed x5c is unattested: refused under requireAttestation with challenge_failed, audited with its cause', async () => {
    const leaf = await selfSignedAttestation(MODEL);
    const a = soft({ type: 'full', x5c: [leaf], signer: leaf });
    const refused = await registerCredential(strict, a, 'cid');
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('challenge_failed');
    expect(await rejections(strict, 'cid')).toEqual(['attestation_untrusted']);
    expect((await strict.call('GET', '/v1/users/cid/factors')).body.factors).toEqual([]);
  });

  it('S36: without requireAttestation a self-signed x5c registers unattested, and its assertions never say hwk', async () => {
    const leaf = await selfSignedAttestation(MODEL);
    const a = soft({ type: 'full', x5c: [leaf], signer: leaf });
    expect((await registerCredential(open, a, 'dan')).status).toBe(200);
    const ok = await wire(open, 'dan', a);
    expect(ok.status).toBe(200);
    expect(ok.body.amr).toEqual(['swk', 'user', 'mfa']);
  });

  it('S36: self attestation (no x5c) and another vendor’s root for this AAGUID are unattested', async () => {
    expect((await registerCredential(strict, soft({ type: 'self' }), 'eve')).status).toBe(400);
    // Signed under the other model's root while claiming this model: roots are per AAGUID.
    expect((await registerCredential(strict, await full(otherRoot, MODEL), 'eve')).status).toBe(400);
    expect(await rejections(strict, 'eve')).toEqual(['attestation_self', 'attestation_untrusted']);
    // The other vendor's own model does chain to its root.
    expect((await registerCredential(strict, await full(otherRoot, OTHER), 'fay')).status).toBe(200);
  });

  it('S36: a statement signed by another key than its certificate’s is refused as attestation_invalid', async () => {
    const [leaf, other] = await Promise.all([attestationCert(root, MODEL), attestationCert(root, MODEL)]);
    expect(
      (await registerCredential(open, soft({ type: 'full', x5c: [leaf], signer: other }), 'ola')).status,
    ).toBe(400);
    expect(await rejections(open, 'ola')).toEqual(['attestation_invalid']);
  });

  it('S36: an attestation certificate outside its validity period (at the service clock) is refused', async () => {
    const leaf = await attestationCert(root, MODEL, { notAfter: new Date(Date.UTC(2029, 0, 1)) });
    const a = soft({ type: 'full', x5c: [leaf], signer: leaf });
    // The library checks the leaf against the wall clock (2026 here); the service clock is 2030.
    expect((await registerCredential(strict, a, 'gil')).status).toBe(400);
    expect(await rejections(strict, 'gil')).toEqual(['attestation_expired']);
  });
});

describe('WebAuthn attestation trust anchors: a FIDO MDS3 BLOB (webauthn.metadata)', () => {
  let mdsRoot: Issued;
  let signer: Issued;
  let restore: () => void;
  const REVOKED = '6a1b2c3d-0000-4000-8000-00000000cc03';
  beforeAll(async () => {
    mdsRoot = await rootCa('CN=Test FIDO MDS Root, O=Stepgate Test, C=DE');
    signer = await issue(mdsRoot, { subject: 'CN=mds.test, O=Stepgate Test, C=DE' });
    // Tests only: the FIDO root is fixed in the code and cannot come from configuration.
    restore = useMetadataRootsForTests([mdsRoot.pem]);
  });
  afterAll(() => restore?.());

  const blobFile = (text: string) => {
    const file = join(freshDir(), 'fido-mds.jwt');
    writeFileSync(file, text);
    return file;
  };
  const webauthn = (metadata: string, requireAttestation = true) => ({
    rpId: 'localhost',
    requireAttestation,
    allowedAuthenticators: [MODEL, REVOKED],
    metadata,
  });

  it('S36: a BLOB signed under the FIDO root is loaded and its statements’ roots are used: attested, amr hwk', async () => {
    const blob = await metadataBlob(signer, [], [{ aaguid: MODEL, roots: [root] }]);
    const ctx = await startWebAuthnService(ORIGIN, { config: { webauthn: webauthn(blobFile(blob)) } });
    try {
      expect(ctx.lines.some((l) => l.includes('FIDO metadata BLOB loaded'))).toBe(true);
      const a = await full(root);
      expect((await registerCredential(ctx, a, 'hal')).status).toBe(200);
      expect((await wire(ctx, 'hal', a)).body.amr).toEqual(['hwk', 'user', 'mfa']);
      const leaf = await selfSignedAttestation(MODEL);
      expect(
        (await registerCredential(ctx, soft({ type: 'full', x5c: [leaf], signer: leaf }), 'ida')).status,
      ).toBe(400);
    } finally {
      await ctx.svc.close();
    }
  });

  it('S36: a model the BLOB reports REVOKED is refused, even without requireAttestation', async () => {
    const blob = await metadataBlob(
      signer,
      [],
      [{ aaguid: REVOKED, roots: [root], statuses: ['FIDO_CERTIFIED_L1', 'REVOKED'] }],
    );
    const ctx = await startWebAuthnService(ORIGIN, { config: { webauthn: webauthn(blobFile(blob), false) } });
    try {
      expect((await registerCredential(ctx, await full(root, REVOKED), 'jon')).status).toBe(400);
      expect(await rejections(ctx, 'jon')).toEqual(['authenticator_compromised']);
    } finally {
      await ctx.svc.close();
    }
  });

  it('S36: a credential of a model reported REVOKED after it registered fails its next assertion', async () => {
    const dataDir = freshDir();
    const a = await full(root, REVOKED);
    const before = await metadataBlob(signer, [], [{ aaguid: REVOKED, roots: [root] }]);
    const first = await startWebAuthnService(ORIGIN, {
      dataDir,
      config: { webauthn: webauthn(blobFile(before)) },
    });
    try {
      expect((await registerCredential(first, a, 'liv')).status).toBe(200);
      expect((await wire(first, 'liv', a)).body.amr).toContain('hwk');
    } finally {
      await first.svc.close();
    }
    const after = await metadataBlob(
      signer,
      [],
      [{ aaguid: REVOKED, roots: [root], statuses: ['FIDO_CERTIFIED_L1', 'REVOKED'] }],
      '2031-01-01',
      8,
    );
    const next = await startWebAuthnService(ORIGIN, {
      dataDir,
      config: { webauthn: webauthn(blobFile(after)) },
    });
    try {
      const refused = await wire(next, 'liv', a);
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('challenge_failed');
      const audit = await next.admin('GET', '/v1/audit?user=liv&type=challenge.failed');
      expect(
        audit.body.records.map((r: { event: { detail?: { failure?: string } } }) => r.event.detail?.failure),
      ).toEqual(['authenticator_compromised']);
    } finally {
      await next.svc.close();
    }
  });

  it('S36: a tampered BLOB, one signed outside the FIDO root, or a missing file stops the start with an error at /webauthn/metadata', async () => {
    const blob = await metadataBlob(signer, [], [{ aaguid: MODEL, roots: [root] }]);
    const [header, payload, signature] = blob.split('.');
    const body = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    body.entries[0].metadataStatement.attestationRootCertificates = [
      Buffer.from(otherRoot.der).toString('base64'),
    ];
    const tampered = [header, Buffer.from(JSON.stringify(body)).toString('base64url'), signature].join('.');
    const stranger = await rootCa('CN=Not FIDO, O=Stepgate Test, C=DE');
    const foreign = await metadataBlob(
      await issue(stranger, { subject: 'CN=mds.evil' }),
      [],
      [{ aaguid: MODEL, roots: [root] }],
    );
    const cases: [string, RegExp][] = [
      [blobFile(tampered), /signature does not verify/],
      [blobFile(foreign), /does not lead to the FIDO root/],
      [blobFile('not a jwt'), /not a JWS/],
      [join(freshDir(), 'missing.jwt'), /cannot read/],
    ];
    for (const [file, message] of cases) {
      const error = await startWebAuthnService(ORIGIN, { config: { webauthn: webauthn(file) } }).then(
        (ctx) => ctx.svc.close().then(() => undefined),
        (e: unknown) => e,
      );
      expect(error, file).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).location).toEqual({ file, path: '/webauthn/metadata' });
      expect((error as ConfigError).message).toMatch(message);
    }
  });

  it('S36: a BLOB past its nextUpdate is still used, with a warn line naming the date', async () => {
    const blob = await metadataBlob(signer, [], [{ aaguid: MODEL, roots: [root] }], '2029-12-01');
    const ctx = await startWebAuthnService(ORIGIN, { config: { webauthn: webauthn(blobFile(blob)) } });
    try {
      const warn = ctx.lines.find((l) => l.includes('past its nextUpdate'));
      expect(warn).toContain('2029-12-01');
      expect(JSON.parse(warn!).level).toBe(40);
      expect((await registerCredential(ctx, await full(root), 'kim')).status).toBe(200);
    } finally {
      await ctx.svc.close();
    }
  });
});
