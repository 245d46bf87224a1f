/**
 * `DELETE /v1/users/{id}` over HTTP on the real service: erasing a user is gated like removing
 * every factor at once (S31) — a step-up to the user's strongest level, bound to the erasure and
 * single use — then nothing the store held about them is left, and the erasure is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTotp, lastCode, startWithChallenges, totpCode } from './challenge-helpers.js';

describe('DELETE /v1/users/{id}', () => {
  let ctx: Awaited<ReturnType<typeof startWithChallenges>>;
  beforeAll(async () => {
    ctx = await startWithChallenges();
  });
  afterAll(() => ctx.svc.close());

  const decide = (userId: string) =>
    ctx.call('POST', '/v1/decisions', {
      subject: { id: userId, sessionId: `s-${userId}`, acr: 'aal1' },
      action: { name: 'accounts.read' },
      context: { ip: '192.0.2.7' },
    });

  it('S31: needs a step-up to the strongest factor, bound to the erasure, once; then the user is gone', async () => {
    const subject = { id: 'ida', sessionId: 's-ida', acr: 'aal1' };
    const { secret, factorId } = await enrollTotp(ctx, 'ida');
    expect((await decide('ida')).status).toBe(200);
    await enrollTotp(ctx, 'ned');

    const first = await ctx.call('DELETE', '/v1/users/ida', { subject });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      decision: 'step_up',
      requirement: { level: 'aal2', methods: ['totp'], bindTransaction: true, singleUse: true },
    });
    expect((await ctx.svc.store.listFactors('ida')).map((f) => f.id)).toEqual([factorId]);

    // A token for another action does not open the erasure.
    const { token: other } = ctx.svc.tokens.mintStepUpToken({
      sub: 'ida',
      aud: 'default',
      acr: 'urn:stepgate:aal3',
      amr: ['hwk'],
      authTime: Math.floor(ctx.clock() / 1000),
      sid: 's-ida',
      action: 'payments.transfer',
      digest: 'x',
    });
    expect((await ctx.call('DELETE', '/v1/users/ida', { subject, stepUpToken: other })).body.decision).toBe(
      'step_up',
    );

    const id = first.body.challenge.id;
    const verified = await ctx.browser('POST', `/v1/challenges/${id}/verify`, {
      method: 'totp',
      code: totpCode(secret, ctx.clock()),
    });
    expect(verified.status).toBe(200);
    const done = await ctx.call('DELETE', '/v1/users/ida', { subject, stepUpToken: verified.body.token });
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ deleted: { userId: 'ida', factors: 1 } });

    expect(await ctx.svc.store.getUser('ida')).toBeUndefined();
    expect(await ctx.svc.store.listFactors('ida')).toEqual([]);
    const state = await ctx.svc.store.loadUserState({ userId: 'ida', windowStart: 0 });
    expect(state.lastSeen).toBeUndefined();
    expect(state.actionCounts).toEqual({});
    // Nothing is left to erase, so the token's replay finds no user.
    const again = await ctx.call('DELETE', '/v1/users/ida', { subject, stepUpToken: verified.body.token });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('not_found');
    // Ned is untouched.
    expect(await ctx.svc.store.listFactors('ned')).toHaveLength(1);

    const audit = await ctx.admin('GET', '/v1/audit?user=ida&type=user.deleted');
    expect(audit.body.records).toHaveLength(1);
    expect(audit.body.records[0].event).toMatchObject({
      type: 'user.deleted',
      who: { userId: 'ida', sessionId: 's-ida' },
      outcome: 'ok',
      detail: { provenLevel: 'aal2' },
    });
    // Earlier records stay: the chain keeps every record.
    const factorAdded = await ctx.admin('GET', '/v1/audit?user=ida&type=factor.added');
    expect(factorAdded.body.records).toHaveLength(1);
  });

  it('S31: a user with only an email address proves it by a code, and is told at it once erased', async () => {
    const subject = { id: 'uma', sessionId: 's-uma', acr: 'aal1' };
    await ctx.call('PUT', '/v1/users/uma', { email: 'uma@example.com' });
    const first = await ctx.call('DELETE', '/v1/users/uma', { subject });
    expect(first.body.requirement).toMatchObject({ level: 'aal1', methods: ['email_otp'] });
    const id = first.body.challenge.id;
    await ctx.browser('POST', `/v1/challenges/${id}/start`, { method: 'email_otp' });
    const code = await lastCode(ctx, 'uma@example.com');
    const verified = await ctx.browser('POST', `/v1/challenges/${id}/verify`, { method: 'email_otp', code });
    const done = await ctx.call('DELETE', '/v1/users/uma', { subject, stepUpToken: verified.body.token });
    expect(done.body).toEqual({ deleted: { userId: 'uma', factors: 0 } });
    const { body } = await ctx.admin('GET', `/v1/dev/outbox?to=${encodeURIComponent('uma@example.com')}`);
    const notices = body.messages.filter((m: { kind: string }) => m.kind === 'factor_removed');
    expect(notices).toHaveLength(1);
    expect(notices[0].text).toMatch(
      /^Every sign-in method of your account was removed at .*: the email address u\*\*\*@example\.com\./,
    );
    const announced = await ctx.admin('GET', '/v1/audit?user=uma&type=factor.announced');
    expect(announced.body.records).toHaveLength(1);
  });

  it('an admin key erases without a step-up (operator recovery), audited with the key', async () => {
    await enrollTotp(ctx, 'ola');
    const done = await ctx.admin('DELETE', '/v1/users/ola', { subject: { id: 'ola' } });
    expect(done.body).toEqual({ deleted: { userId: 'ola', factors: 1 } });
    expect(await ctx.svc.store.listFactors('ola')).toEqual([]);
    const audit = await ctx.admin('GET', '/v1/audit?user=ola&type=user.deleted');
    expect(audit.body.records[0].event).toMatchObject({
      who: { userId: 'ola', apiKeyId: expect.stringMatching(/^key_/) },
      detail: { reason: 'admin_key' },
    });
  });

  it('erases at once a user with nothing to step up with; answers 404 for an unknown user and 400 for another subject', async () => {
    expect((await decide('zoe')).status).toBe(200);
    const wrong = await ctx.call('DELETE', '/v1/users/zoe', { subject: { id: 'ida' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('invalid_request');

    const done = await ctx.call('DELETE', '/v1/users/zoe', { subject: { id: 'zoe' } });
    expect(done.body).toEqual({ deleted: { userId: 'zoe', factors: 0 } });
    expect((await ctx.svc.store.loadUserState({ userId: 'zoe', windowStart: 0 })).lastSeen).toBeUndefined();
    const audit = await ctx.admin('GET', '/v1/audit?user=zoe&type=user.deleted');
    expect(audit.body.records[0].event.detail).toEqual({ reason: 'no_factor' });

    const unknown = await ctx.call('DELETE', '/v1/users/nobody', { subject: { id: 'nobody' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
  });
});
