import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type AssertionExpectation, verifyAssertion } from './webauthn-assertion.js';

interface Vector {
  rpId: string;
  origin: string;
  credentialId_b64url: string;
  credentialPublicKey_cose_b64url: string;
  challenge_b64url: string;
  authenticatorData_b64url: string;
  clientDataJSON_b64url: string;
  signature_b64url: string;
  signCount: number;
  storedCounter?: number;
}
const vectors = JSON.parse(
  readFileSync(new URL('../../test/vectors/security-vectors.json', import.meta.url), 'utf8'),
) as Record<string, Vector>;

/** The vector as the browser would send it, and what the service expects. */
function check(v: Vector, over: Partial<AssertionExpectation> = {}): AssertionExpectation {
  return {
    response: {
      id: v.credentialId_b64url,
      rawId: v.credentialId_b64url,
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        authenticatorData: v.authenticatorData_b64url,
        clientDataJSON: v.clientDataJSON_b64url,
        signature: v.signature_b64url,
      },
    },
    challenge: v.challenge_b64url,
    origins: [v.origin],
    rpId: v.rpId,
    credential: {
      id: v.credentialId_b64url,
      publicKey: Buffer.from(v.credentialPublicKey_cose_b64url, 'base64url'),
      counter: v.storedCounter ?? 0,
      // Registered with the BE flag the authenticator reports (bit 3 of the flags byte).
      backupEligible: (Buffer.from(v.authenticatorData_b64url, 'base64url')[32]! & 0x08) !== 0,
    },
    requireUserVerification: false,
    ...over,
  };
}

const withClientData = (v: Vector, edit: (cd: Record<string, unknown>) => void): Vector => {
  const cd = JSON.parse(Buffer.from(v.clientDataJSON_b64url, 'base64url').toString('utf8'));
  edit(cd);
  return { ...v, clientDataJSON_b64url: Buffer.from(JSON.stringify(cd)).toString('base64url') };
};

describe('WebAuthn assertions: W3C WebAuthn L3 vectors and the SimpleWebAuthn fixture', () => {
  const none = vectors.webauthn_l3_none_es256!;
  const packed = vectors.webauthn_l3_packed_es256!;
  const cross = vectors.webauthn_l3_crossorigin_es256!;
  const fixture = vectors.simplewebauthn_fixture!;

  it('S12: L3 none-ES256 (UV=0) passes when UV is not required and fails when it is', async () => {
    expect(await verifyAssertion(check(none))).toMatchObject({
      ok: true,
      userVerified: false,
      backedUp: true,
    });
    expect(await verifyAssertion(check(none, { requireUserVerification: true }))).toEqual({
      ok: false,
      failure: 'user_verification',
    });
  });

  it('S12: L3 packed-ES256 (UV=1) passes with UV required', async () => {
    expect(await verifyAssertion(check(packed, { requireUserVerification: true }))).toMatchObject({
      ok: true,
      userVerified: true,
      backedUp: false,
    });
  });

  it('S12: L3 cross-origin vector fails (crossOrigin: true), though its signature is valid', async () => {
    expect(await verifyAssertion(check(cross))).toEqual({ ok: false, failure: 'cross_origin' });
  });

  it('S12: an unexpected topOrigin, another origin, type or challenge fail', async () => {
    const top = withClientData(none, (cd) => {
      cd.topOrigin = 'https://evil.example';
    });
    expect(await verifyAssertion(check(top))).toEqual({ ok: false, failure: 'top_origin' });
    expect(await verifyAssertion(check(none, { origins: ['https://other.example'] }))).toEqual({
      ok: false,
      failure: 'origin',
    });
    const create = withClientData(none, (cd) => {
      cd.type = 'webauthn.create';
    });
    expect(await verifyAssertion(check(create))).toEqual({ ok: false, failure: 'type' });
    expect(await verifyAssertion(check(none, { challenge: packed.challenge_b64url }))).toEqual({
      ok: false,
      failure: 'challenge',
    });
  });

  it('S12: a wrong rpId (rpIdHash) fails', async () => {
    expect(await verifyAssertion(check(none, { rpId: 'example.com' }))).toEqual({
      ok: false,
      failure: 'rp_id',
    });
  });

  it('S12: a changed clientDataJSON field breaks the signature', async () => {
    const extra = withClientData(packed, (cd) => {
      cd.extraData = 'changed';
    });
    expect(await verifyAssertion(check(extra))).toMatchObject({ ok: false });
  });

  it('S14: the real assertion passes with stored counter 143 and is a clone suspicion at ≥ 144', async () => {
    expect(await verifyAssertion(check(fixture))).toMatchObject({ ok: true, counter: 144 });
    for (const counter of [144, 145]) {
      const c = check(fixture);
      expect(
        await verifyAssertion({ ...c, credential: { ...c.credential, counter } }),
        `stored ${counter}`,
      ).toEqual({ ok: false, failure: 'clone_suspected' });
    }
    expect(await verifyAssertion(check(fixture, { requireUserVerification: true }))).toEqual({
      ok: false,
      failure: 'user_verification',
    });
  });

  it('S14: flipping the counter byte of the real assertion is an invalid signature, not a clone', async () => {
    const data = Buffer.from(fixture.authenticatorData_b64url, 'base64url');
    data[36] = (data[36] ?? 0) ^ 0x01;
    const flipped = { ...fixture, authenticatorData_b64url: data.toString('base64url') };
    expect(await verifyAssertion(check(flipped))).toEqual({ ok: false, failure: 'signature' });
  });

  it('S36: a backup-eligible flag that differs from registration fails, either way (WebAuthn L3 §7.2)', async () => {
    // L3 none-ES256 says BE=1 (a synced passkey); the SimpleWebAuthn fixture says BE=0.
    const synced = check(none);
    expect(await verifyAssertion(synced)).toMatchObject({ ok: true, backedUp: true });
    expect(
      await verifyAssertion({ ...synced, credential: { ...synced.credential, backupEligible: false } }),
    ).toEqual({ ok: false, failure: 'backup_eligibility_changed' });
    const bound = check(fixture);
    expect(await verifyAssertion(bound)).toMatchObject({ ok: true, backedUp: false });
    expect(
      await verifyAssertion({ ...bound, credential: { ...bound.credential, backupEligible: true } }),
    ).toEqual({ ok: false, failure: 'backup_eligibility_changed' });
  });

  it('S36: authenticator data that sets BS without BE is refused, even when the signature is unchecked', async () => {
    // Hand-modified flags (BE cleared, BS kept): the library refuses the combination; the
    // signature no longer matches either, so whichever check runs first, it fails.
    const data = Buffer.from(none.authenticatorData_b64url, 'base64url');
    data[32] = (data[32] ?? 0) & ~0x08;
    const modified = { ...none, authenticatorData_b64url: data.toString('base64url') };
    expect(await verifyAssertion(check(modified))).toMatchObject({ ok: false });
  });

  it('S13: a response naming another credential is refused before any check', async () => {
    const c = check(none);
    expect(
      await verifyAssertion({ ...c, credential: { ...c.credential, id: packed.credentialId_b64url } }),
    ).toEqual({ ok: false, failure: 'credential' });
  });
});
