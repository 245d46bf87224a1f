import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_FILE_NAME } from '../src/start.js';
import { WebAuthnBrowser } from './webauthn-browser.js';
import {
  assert,
  decide,
  registerCredential,
  startWebAuthnService,
  type WebAuthnCtx,
} from './webauthn-helpers.js';

/**
 * The backup flags of real Chromium assertions (S3, S36; WebAuthn L3 §6.1.3, §7.2): BE must stay
 * as registered, BS is recorded at registration and after each assertion. The CDP virtual
 * authenticator's `setCredentialProperties` changes a credential's flags between ceremonies.
 */
describe('WebAuthn backup flags with a real browser', () => {
  let b: WebAuthnBrowser;
  let ctx: WebAuthnCtx;
  beforeAll(async () => {
    b = await WebAuthnBrowser.open();
    ctx = await startWebAuthnService(b.origin);
  }, 90_000);
  afterAll(async () => {
    await ctx?.svc.close();
    await b?.close();
  });

  /** The stored BS flag of a credential. */
  const backupState = (credentialId: string): boolean => {
    const db = new Database(join(ctx.dataDir, DB_FILE_NAME), { readonly: true });
    try {
      const row = db
        .prepare('SELECT backup_state FROM webauthn_credentials WHERE credential_id = ?')
        .get(credentialId);
      return (row as { backup_state: number }).backup_state === 1;
    } finally {
      db.close();
    }
  };
  /** A transfer step-up for the user, answered by the browser's authenticator. */
  const transfer = async (user: string, action = 'payments.transfer') => {
    const d = await decide(ctx, user, action, { amount: 2000, currency: 'EUR', payee: 'P' });
    const { response } = await assert(ctx, b, d.challenge.id);
    return ctx.browser('POST', `/v1/challenges/${d.challenge.id}/verify`, { method: 'webauthn', response });
  };
  const failures = async (user: string): Promise<string[]> =>
    (await ctx.admin('GET', `/v1/audit?user=${user}&type=challenge.failed`)).body.records.map(
      (r: { event: { detail?: { failure?: string } } }) => r.event.detail?.failure,
    );
  const enroll = async (user: string, options: { backup: boolean; backupState?: boolean }) => {
    await b.removeAllAuthenticators();
    const authenticator = await b.addAuthenticator({ isUserVerified: true, ...options });
    const added = await registerCredential(ctx, b, user);
    expect(added.status).toBe(200);
    const [credential] = await b.credentials(authenticator);
    return { authenticator, credential: credential! };
  };

  it('S36: a device-bound credential whose assertion turns backup-eligible fails (audited backup_eligibility_changed), with the same challenge_failed body', async () => {
    const { authenticator, credential } = await enroll('kai', { backup: false });
    expect((await transfer('kai')).status).toBe(200);
    // An aal3 factor: a wrong signature gives the reference failure body.
    const d = await decide(ctx, 'kai', 'payments.transfer', { amount: 2000, currency: 'EUR', payee: 'Q' });
    const { response } = await assert(ctx, b, d.challenge.id);
    const wrong = await ctx.browser('POST', `/v1/challenges/${d.challenge.id}/verify`, {
      method: 'webauthn',
      response: { ...response, response: { ...(response.response as object), signature: 'MEUCIQ' } },
    });
    await b.setCredentialProperties(authenticator, credential, {
      backupEligibility: true,
      backupState: true,
    });
    const flipped = await transfer('kai');
    expect(flipped.status).toBe(400);
    expect(flipped.body).toEqual(wrong.body);
    expect(await failures('kai')).toContain('backup_eligibility_changed');
    // Nothing of the failed assertion was recorded.
    expect(backupState(credential.id)).toBe(false);
    // BE only, BS clear: still a change of BE.
    await b.setCredentialProperties(authenticator, credential, {
      backupEligibility: true,
      backupState: false,
    });
    expect((await transfer('kai')).status).toBe(400);
    await b.setCredentialProperties(authenticator, credential, {
      backupEligibility: false,
      backupState: false,
    });
    const back = await transfer('kai', 'payments.wire');
    expect(back.status).toBe(200);
    expect(back.body.acr).toBe(ctx.svc.config.acrValues.aal3);
  });

  it('S36: a synced passkey (registered backup-eligible) whose assertion drops BE fails', async () => {
    const { authenticator, credential } = await enroll('lea', { backup: true });
    expect((await transfer('lea')).status).toBe(200);
    await b.setCredentialProperties(authenticator, credential, {
      backupEligibility: false,
      backupState: false,
    });
    expect((await transfer('lea')).status).toBe(400);
    expect(await failures('lea')).toEqual(['backup_eligibility_changed']);
  });

  it('S3, S36: BS is stored at registration and follows each assertion; a backed-up credential stays at aal2', async () => {
    const { authenticator, credential } = await enroll('max', { backup: true, backupState: false });
    expect(backupState(credential.id)).toBe(false);
    await b.setCredentialProperties(authenticator, credential, { backupState: true });
    const synced = await transfer('max');
    expect(synced.status).toBe(200);
    expect(synced.body.acr).toBe(ctx.svc.config.acrValues.aal2);
    expect(backupState(credential.id)).toBe(true);
    await b.setCredentialProperties(authenticator, credential, { backupState: false });
    expect((await transfer('max')).status).toBe(200);
    expect(backupState(credential.id)).toBe(false);
    // Backup-eligible: never aal3, whatever BS says now.
    const wire = await decide(ctx, 'max', 'payments.wire', { amount: 9, currency: 'EUR', payee: 'W' });
    expect(wire.challenge?.methods ?? []).not.toContain('webauthn');
  });

  it('S36: a credential registered already backed up stores BS set', async () => {
    const { credential } = await enroll('ned', { backup: true, backupState: true });
    expect(backupState(credential.id)).toBe(true);
  });
});
