import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { decodeAttestationObject } from '@simplewebauthn/server/helpers';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_FILE_NAME } from '../src/start.js';
import { rootCa } from './attestation-pki.js';
import { type AuthenticatorOptions, WebAuthnBrowser } from './webauthn-browser.js';
import {
  assert,
  decide,
  registerCredential,
  session,
  startWebAuthnService,
  type WebAuthnCtx,
} from './webauthn-helpers.js';

/** Real WebAuthn from headless Chromium (CDP virtual authenticators) against the real service. */
describe('WebAuthn with a real browser', () => {
  let b: WebAuthnBrowser;
  let ctx: WebAuthnCtx;
  const counter = (credentialId: string): number => {
    const db = new Database(join(ctx.dataDir, DB_FILE_NAME), { readonly: true });
    try {
      const row = db
        .prepare('SELECT counter FROM webauthn_credentials WHERE credential_id = ?')
        .get(credentialId);
      return (row as { counter: number }).counter;
    } finally {
      db.close();
    }
  };

  let bobAuthenticator = '';
  /** Chromium allows one internal authenticator at a time: replace it. */
  const fresh = async (options: AuthenticatorOptions) => {
    await b.removeAllAuthenticators();
    return b.addAuthenticator(options);
  };
  beforeAll(async () => {
    b = await WebAuthnBrowser.open();
    ctx = await startWebAuthnService(b.origin);
  }, 90_000);
  afterAll(async () => {
    await ctx?.svc.close();
    await b?.close();
  });

  it('S3, S12: a device-bound credential with UV reaches aal3; a full step-up ends in a token accepted once', async () => {
    await fresh({ isUserVerified: true, backup: false });
    const added = await registerCredential(ctx, b, 'alice');
    expect(added.status).toBe(200);
    expect(added.body.factor).toMatchObject({ method: 'webauthn', maxLevel: 'aal3', backupEligible: false });
    const wire = { amount: 50_000, currency: 'EUR', payee: 'Mallory' };
    const first = await decide(ctx, 'alice', 'payments.wire', wire);
    expect(first.decision).toBe('step_up');
    expect(first.challenge.methods).toContain('webauthn');
    const { publicKey, response } = await assert(ctx, b, first.challenge.id);
    expect(publicKey.userVerification).toBe('required');
    expect(Buffer.from(publicKey.challenge, 'base64url').length).toBeGreaterThanOrEqual(16);
    const verified = await ctx.browser('POST', `/v1/challenges/${first.challenge.id}/verify`, {
      method: 'webauthn',
      response,
    });
    expect(verified.status).toBe(200);
    expect(verified.body.amr).toEqual(['swk', 'user', 'mfa']);
    expect(verified.body.acr).toBe(ctx.svc.config.acrValues.aal3);
    expect((await decide(ctx, 'alice', 'payments.wire', wire, verified.body.token)).decision).toBe('allow');
    expect((await decide(ctx, 'alice', 'payments.wire', wire, verified.body.token)).decision).toBe('step_up');
  });

  it('S11: the assertion nonce is consumed before verification; a replay or a retry after a failure fails', async () => {
    const tx = { amount: 2000, currency: 'EUR', payee: 'Bob' };
    const d = await decide(ctx, 'alice', 'payments.transfer', tx);
    const { response } = await assert(ctx, b, d.challenge.id);
    const tampered = { ...response, response: { ...(response.response as object), signature: 'MEUCIQ' } };
    const bad = await ctx.browser('POST', `/v1/challenges/${d.challenge.id}/verify`, {
      method: 'webauthn',
      response: tampered,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('challenge_failed');
    const genuine = await ctx.browser('POST', `/v1/challenges/${d.challenge.id}/verify`, {
      method: 'webauthn',
      response,
    });
    expect(genuine.status).toBe(400);
  });

  it('S11: an assertion made for one transaction fails on the challenge of another', async () => {
    const a = await decide(ctx, 'alice', 'payments.transfer', {
      amount: 2000,
      currency: 'EUR',
      payee: 'Bob',
    });
    const c = await decide(ctx, 'alice', 'payments.transfer', {
      amount: 9000,
      currency: 'EUR',
      payee: 'Eve',
    });
    const { response } = await assert(ctx, b, a.challenge.id);
    await ctx.browser('POST', `/v1/challenges/${c.challenge.id}/start`, { method: 'webauthn' });
    const moved = await ctx.browser('POST', `/v1/challenges/${c.challenge.id}/verify`, {
      method: 'webauthn',
      response,
    });
    expect(moved.status).toBe(400);
  });

  it('S11: a WebAuthn challenge expires within 5 minutes', async () => {
    const d = await decide(ctx, 'alice', 'payments.transfer', {
      amount: 3000,
      currency: 'EUR',
      payee: 'Bob',
    });
    const { publicKey, response } = await assert(ctx, b, d.challenge.id);
    expect(publicKey.timeout).toBeLessThanOrEqual(300_000);
    ctx.clock.advance(301_000);
    const late = await ctx.browser('POST', `/v1/challenges/${d.challenge.id}/verify`, {
      method: 'webauthn',
      response,
    });
    expect(late.status).toBe(400);
  });

  it('S3: a backup-eligible credential (synced passkey) is capped at aal2 and cannot satisfy aal3', async () => {
    bobAuthenticator = await fresh({ isUserVerified: true, backup: true });
    const added = await registerCredential(ctx, b, 'bob');
    expect(added.body.factor).toMatchObject({ maxLevel: 'aal2', backupEligible: true });
    const factors = await ctx.call('GET', '/v1/users/bob/factors');
    expect(factors.body.factors).toEqual([
      expect.objectContaining({ maxLevel: 'aal2', backupEligible: true }),
    ]);
    expect(factors.body.factors[0]).not.toHaveProperty('lastUsedAt');
    const wire = await decide(ctx, 'bob', 'payments.wire', { amount: 50_000, currency: 'EUR', payee: 'X' });
    expect(wire.challenge?.methods ?? []).not.toContain('webauthn');
    const d = await decide(ctx, 'bob', 'payments.transfer', { amount: 2000, currency: 'EUR', payee: 'Y' });
    const { response } = await assert(ctx, b, d.challenge.id);
    const ok = await ctx.browser('POST', `/v1/challenges/${d.challenge.id}/verify`, {
      method: 'webauthn',
      response,
    });
    expect(ok.status).toBe(200);
    expect(ok.body.acr).toBe(ctx.svc.config.acrValues.aal2);
    // The passkey that verified is the factor the list shows as last used now.
    const used = await ctx.call('GET', '/v1/users/bob/factors');
    expect(used.body.factors).toEqual([
      expect.objectContaining({ backupEligible: true, lastUsedAt: new Date(ctx.clock()).toISOString() }),
    ]);
  });

  it('S13: user B’s valid passkey during user A’s challenge is rejected', async () => {
    const d = await decide(ctx, 'alice', 'payments.transfer', {
      amount: 4000,
      currency: 'EUR',
      payee: 'Bob',
    });
    const started = await ctx.browser('POST', `/v1/challenges/${d.challenge.id}/start`, {
      method: 'webauthn',
    });
    const [bobs] = await b.credentials(bobAuthenticator);
    // Bob's authenticator signs Alice's challenge bytes.
    const response = await b.get({
      ...started.body.publicKey,
      allowCredentials: [{ id: bobs!.id, type: 'public-key' }],
    });
    const stolen = await ctx.browser('POST', `/v1/challenges/${d.challenge.id}/verify`, {
      method: 'webauthn',
      response,
    });
    expect(stolen.status).toBe(400);
    expect(ctx.lines.some((l) => l.includes('unknown_credential'))).toBe(true);
  });

  it('S12: without user verification: a biometric registration is refused, a passkey counts at aal2 without mfa', async () => {
    await fresh({ hasUserVerification: false, isUserVerified: false, backup: false });
    // The browser is told UV is discouraged; the service still requires it for biometric.
    const refused = await registerCredential(ctx, b, 'carol', 'biometric', (o) => ({
      ...o,
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'discouraged' },
    }));
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('challenge_failed');
    const added = await registerCredential(ctx, b, 'dave');
    expect(added.body.factor).toMatchObject({ maxLevel: 'aal2', backupEligible: false });
    const d = await decide(ctx, 'dave', 'payments.transfer', { amount: 2000, currency: 'EUR', payee: 'Z' });
    const { publicKey, response } = await assert(ctx, b, d.challenge.id);
    expect(publicKey.userVerification).toBe('preferred');
    const ok = await ctx.browser('POST', `/v1/challenges/${d.challenge.id}/verify`, {
      method: 'webauthn',
      response,
    });
    expect(ok.body.amr).toEqual(['swk', 'user']);
  });

  it('S14: a cloned credential (counter not above the stored one) fails, is audited, and leaves the counter', async () => {
    const authenticatorId = await fresh({ isUserVerified: true, backup: false });
    const added = await registerCredential(ctx, b, 'erin');
    const credentialId = (await b.credentials(authenticatorId))[0]!;
    const login = async () => {
      const d = await decide(ctx, 'erin', 'payments.transfer', { amount: 2000, currency: 'EUR', payee: 'Q' });
      const { response } = await assert(ctx, b, d.challenge.id);
      return ctx.browser('POST', `/v1/challenges/${d.challenge.id}/verify`, { method: 'webauthn', response });
    };
    expect(added.status).toBe(200);
    expect((await login()).status).toBe(200);
    expect((await login()).status).toBe(200);
    const stored = counter(credentialId.id);
    expect(stored).toBeGreaterThan(0);
    // The clone: the same private key on another authenticator, its counter behind.
    await b.removeAllAuthenticators();
    const clone = await b.addAuthenticator({ isUserVerified: true, backup: false });
    await b.addCredential(clone, { ...credentialId, signCount: 0 });
    const cloned = await login();
    expect(cloned.status).toBe(400);
    expect(counter(credentialId.id)).toBe(stored);
    const audit = await ctx.admin('GET', '/v1/audit?user=erin&type=challenge.failed');
    expect(audit.status).toBe(200);
    const failures = audit.body.records.map(
      (r: { event: { detail?: { failure?: string } } }) => r.event.detail?.failure,
    );
    expect(failures).toContain('clone_suspected');
    const addedEvents = await ctx.admin('GET', '/v1/audit?user=erin&type=factor.added');
    expect(addedEvents.body.records[0].event).toMatchObject({ what: { method: 'webauthn' } });
    const verified = await ctx.admin('GET', '/v1/audit?user=erin&type=challenge.verified');
    expect(verified.body.records).toHaveLength(2);
  });

  it('S12: biometric through WebAuthn: a platform credential with UV, verified with UV required', async () => {
    await fresh({ isUserVerified: true, backup: false });
    const added = await registerCredential(ctx, b, 'ivan', 'biometric');
    expect(added.body.factor).toMatchObject({ method: 'biometric', maxLevel: 'aal3' });
    const d = await decide(ctx, 'ivan', 'payments.transfer', { amount: 2000, currency: 'EUR', payee: 'K' });
    expect(d.challenge.methods).toEqual(['biometric']);
    const { publicKey, response } = await assert(ctx, b, d.challenge.id, 'biometric');
    expect(publicKey.userVerification).toBe('required');
    const ok = await ctx.browser('POST', `/v1/challenges/${d.challenge.id}/verify`, {
      method: 'biometric',
      response,
    });
    expect(ok.status).toBe(200);
    expect(ok.body.amr).toEqual(['swk', 'user', 'mfa']);
    expect(ok.body.amr).not.toContain('fpt');
  });

  it('S12: a page origin that is not on the allowlist cannot register', async () => {
    const other = await startWebAuthnService(b.origin, {
      config: { webauthn: { rpId: 'localhost', origins: ['https://bank.example'] } },
    });
    try {
      await fresh({ isUserVerified: true, backup: false });
      const refused = await registerCredential(other, b, 'gina');
      expect(refused.status).toBe(400);
      expect(other.lines.some((l) => l.includes('"failure":"origin"'))).toBe(true);
    } finally {
      await other.svc.close();
    }
  });

  it('S36: Chromium’s packed attestation (one self-signed batch certificate) is unattested: refused under requireAttestation even for an allow-listed model, stored without hwk otherwise', async () => {
    // Chromium's virtual authenticator attests (packed) as this AAGUID with a fixed self-signed
    // certificate, as a surrogate would: it chains to no trust anchor.
    const virtual = '01020304-0506-0708-0102-030405060708';
    const anchored = {
      rpId: 'localhost',
      allowedAuthenticators: [virtual],
      attestationRoots: [{ aaguid: virtual, certificates: [(await rootCa()).pem] }],
    };
    const strict = await startWebAuthnService(b.origin, {
      config: { webauthn: { ...anchored, requireAttestation: true } },
    });
    const noRoot = await startWebAuthnService(b.origin, {
      config: { webauthn: { rpId: 'localhost', requireAttestation: true, allowedAuthenticators: [virtual] } },
    });
    const lax = await startWebAuthnService(b.origin, { config: { webauthn: anchored } });
    try {
      await fresh({ isUserVerified: true, backup: false });
      const refused = await registerCredential(strict, b, 'hank');
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('challenge_failed');
      expect((await registerCredential(noRoot, b, 'hank')).status).toBe(400);
      const failures = async (c: WebAuthnCtx) =>
        (await c.admin('GET', '/v1/audit?user=hank&type=factor.rejected')).body.records.map(
          (r: { event: { detail?: { failure?: string } } }) => r.event.detail?.failure,
        );
      expect(await failures(strict)).toEqual(['attestation_untrusted']);
      expect(await failures(noRoot)).toEqual(['attestation_no_root']);
      // What Chromium sends is a real packed statement whose x5c is one self-signed certificate;
      // with trust anchors configured the service asks for it (`direct`) even without requireAttestation.
      const ticket = await lax.call('POST', '/v1/enrollments', { userId: 'ivy', subject: session('ivy') });
      const options = await lax.browser('POST', `/v1/enrollments/${ticket.body.ticket}/webauthn/options`, {});
      expect(options.body.publicKey.attestation).toBe('direct');
      const created = await b.create(options.body.publicKey);
      const statement = decodeAttestationObject(
        Buffer.from((created.response as { attestationObject: string }).attestationObject, 'base64url'),
      );
      expect(statement.get('fmt')).toBe('packed');
      const x5c = statement.get('attStmt').get('x5c') ?? [];
      expect(x5c).toHaveLength(1);
      const cert = new X509Certificate(Buffer.from(x5c[0]!));
      expect(cert.checkIssued(cert) && cert.verify(cert.publicKey)).toBe(true);
      // Without requireAttestation it registers (unattested) and its assertions never say hwk.
      const added = await lax.browser('POST', `/v1/enrollments/${ticket.body.ticket}/webauthn/verify`, {
        response: created,
      });
      expect(added.status).toBe(200);
      const d = await decide(lax, 'ivy', 'payments.wire', { amount: 9, currency: 'EUR', payee: 'W' });
      const { response } = await assert(lax, b, d.challenge.id);
      const ok = await lax.browser('POST', `/v1/challenges/${d.challenge.id}/verify`, {
        method: 'webauthn',
        response,
      });
      expect(ok.status).toBe(200);
      expect(ok.body.amr).toEqual(['swk', 'user', 'mfa']);
    } finally {
      await strict.svc.close();
      await noRoot.svc.close();
      await lax.svc.close();
    }
  });
});
