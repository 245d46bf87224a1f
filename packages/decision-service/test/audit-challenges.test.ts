import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditReader } from '../src/audit/audit-reader.js';
import { verifyAuditLog } from '../src/audit/audit-verify.js';
import { enrollTotp, lastCode, SMALL, startWithChallenges, totpCode, transfer } from './challenge-helpers.js';

describe('S27: challenge, factor and token events in the audit log', () => {
  let ctx: Awaited<ReturnType<typeof startWithChallenges>>;
  const planted: string[] = [];
  const rows = () => {
    const db = new Database(join(ctx.svc.config.dataDir, 'audit.db'), { readonly: true });
    try {
      return db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Array<Record<string, unknown>>;
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    ctx = await startWithChallenges();
    // An email code step-up: a wrong code, then the right one, then the token used.
    await ctx.call('PUT', '/v1/users/ines', { email: 'ines@example.com' });
    const verdict = await transfer(ctx, 'ines', SMALL);
    const id = verdict.challenge.id as string;
    await ctx.browser('POST', `/v1/challenges/${id}/start`, { method: 'email_otp' });
    const code = await lastCode(ctx, 'ines@example.com');
    const wrong = code === '918273' ? '918274' : '918273';
    await ctx.browser('POST', `/v1/challenges/${id}/verify`, { method: 'email_otp', code: wrong });
    const ok = await ctx.browser('POST', `/v1/challenges/${id}/verify`, { method: 'email_otp', code });
    expect(ok.status).toBe(200);
    expect((await transfer(ctx, 'ines', SMALL, { stepUpToken: ok.body.token })).decision).toBe('allow');
    // A TOTP enrollment: its secret and confirming code.
    const { secret } = await enrollTotp(ctx, 'jude');
    planted.push(
      code,
      wrong,
      ok.body.token,
      ok.body.token.split('.')[2],
      secret,
      totpCode(secret, ctx.clock(), -1),
    );
    if (ok.body.deviceToken) planted.push(ok.body.deviceToken);
  });
  afterAll(() => ctx.svc.close());

  it('S27: every step is recorded with who and which challenge, and the chain verifies', () => {
    const events = rows().map((r) => JSON.parse(r.event as string));
    const types = new Set(events.map((e) => e.type));
    for (const t of [
      'decision',
      'challenge.code_sent',
      'challenge.failed',
      'challenge.verified',
      'factor.added',
    ]) {
      expect(types).toContain(t);
    }
    const failed = events.find((e) => e.type === 'challenge.failed');
    expect(failed).toMatchObject({ who: { userId: 'ines' }, what: { method: 'email_otp' } });
    expect(failed.challengeId).toMatch(/^chl_/);
    const reader = AuditReader.openFile(join(ctx.svc.config.dataDir, 'audit.db'));
    expect(verifyAuditLog(reader.rows()).ok).toBe(true);
    reader.close();
  });

  it('S27: no code (right or wrong), TOTP secret or token appears in any stored row', () => {
    const stored = JSON.stringify(rows());
    expect(planted.length).toBeGreaterThanOrEqual(6);
    // Codes are short digit strings: look for them as whole numbers, not inside hashes or timestamps.
    for (const secret of planted) expect(stored).not.toMatch(new RegExp(`(?<![0-9])${secret}(?![0-9])`));
  });
});
