import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { enrollmentViewSchema, totpEnrollmentSchema } from '@stepgate/protocol';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { Secret } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIG, enrollTotp, lastCode, startWithChallenges, totpCode, transfer } from './challenge-helpers.js';
import { client, freshDir, start } from './helpers.js';

const ajv = new Ajv({ strict: false });
addFormats.default(ajv);

describe('enrollment', () => {
  const dataDir = freshDir();
  let ctx: Awaited<ReturnType<typeof startWithChallenges>>;
  beforeAll(async () => {
    ctx = await startWithChallenges({ dataDir });
  });
  afterAll(() => ctx.svc.close());

  it('adds a first TOTP factor on an aal1 session; it counts only after the confirming code', async () => {
    await ctx.call('PUT', '/v1/users/fred', { displayName: 'Fred', email: 'fred@example.com' });
    // Fred has an email address: that is a factor, so he must step up first (S31).
    const gated = await ctx.call('POST', '/v1/enrollments', {
      userId: 'fred',
      subject: { id: 'fred', acr: 'aal1' },
    });
    expect(gated.body).toMatchObject({
      decision: 'step_up',
      requirement: { level: 'aal1', methods: ['email_otp'] },
    });
    const first = await ctx.call('POST', '/v1/enrollments', {
      userId: 'gus',
      subject: { id: 'gus', acr: 'aal1' },
    });
    expect(first.body.ticket).toMatch(/^enr_/);
    const ticket = first.body.ticket as string;
    const view = await ctx.browser('GET', `/v1/enrollments/${ticket}`);
    expect(ajv.validate(enrollmentViewSchema, view.body)).toBe(true);
    expect(view.body).toMatchObject({ userId: 'gus', factors: [] });
    expect(view.body.methods).toContain('totp');
    const totp = await ctx.browser('POST', `/v1/enrollments/${ticket}/totp`, {});
    expect(ajv.validate(totpEnrollmentSchema, totp.body)).toBe(true);
    expect(Secret.fromBase32(totp.body.secret).bytes.length).toBeGreaterThanOrEqual(20);
    expect(await ctx.svc.store.listFactors('gus')).toEqual([]);
    const wrong = await ctx.browser('POST', `/v1/enrollments/${ticket}/totp/confirm`, {
      code: totpCode(totp.body.secret, ctx.clock(), 4),
    });
    expect(wrong.body.error).toMatchObject({ code: 'challenge_failed', attemptsLeft: 4 });
    expect(await ctx.svc.store.listFactors('gus')).toEqual([]);
    const ok = await ctx.browser('POST', `/v1/enrollments/${ticket}/totp/confirm`, {
      code: totpCode(totp.body.secret, ctx.clock()),
      label: 'Pixel',
    });
    expect(ok.body.factor).toMatchObject({ method: 'totp', maxLevel: 'aal2', label: 'Pixel' });
    expect((await ctx.svc.store.listFactors('gus')).map((f) => f.id)).toEqual([ok.body.factor.id]);
    // The ticket is spent; the confirmed step is used: the same code cannot step up.
    expect((await ctx.browser('GET', `/v1/enrollments/${ticket}`)).status).toBe(404);
    const id = (await transfer(ctx, 'gus', BIG)).challenge.id;
    const replay = await ctx.browser('POST', `/v1/challenges/${id}/verify`, {
      method: 'totp',
      code: totpCode(totp.body.secret, ctx.clock()),
    });
    expect(replay.body.error.code).toBe('challenge_failed');
  });

  it('S31: an aal1 session alone cannot add a TOTP to an account that has a passkey', async () => {
    await ctx.svc.store.insertFactor({
      id: 'fac_hal_key',
      userId: 'hal',
      method: 'webauthn',
      maxLevel: 'aal3',
      createdAt: 0,
    });
    const res = await ctx.call('POST', '/v1/enrollments', {
      userId: 'hal',
      subject: { id: 'hal', sessionId: 'sh', acr: 'aal1' },
      method: 'totp',
    });
    expect(res.body).toMatchObject({
      decision: 'step_up',
      requirement: { level: 'aal2', methods: ['webauthn'], bindTransaction: true },
    });
    expect(res.body.ticket).toBeUndefined();
    // A token minted for another action does not open it either.
    const { token } = ctx.svc.tokens.mintStepUpToken({
      sub: 'hal',
      aud: 'default',
      acr: 'urn:stepgate:aal3',
      amr: ['hwk'],
      authTime: Math.floor(ctx.clock() / 1000),
      sid: 'sh',
      action: 'payments.transfer',
      digest: 'x',
    });
    const forged = await ctx.call('POST', '/v1/enrollments', {
      userId: 'hal',
      subject: { id: 'hal', sessionId: 'sh', acr: 'aal1' },
      method: 'totp',
      stepUpToken: token,
    });
    expect(forged.body.decision).toBe('step_up');
  });

  it('S31, S24: each new factor needs a step-up with an existing one, is announced, and never satisfies the step-up it was added during', async () => {
    await ctx.call('PUT', '/v1/users/ivy', { email: 'ivy@example.com' });
    const subject = { id: 'ivy', sessionId: 's-ivy', acr: 'aal1' };
    const stepUp = async (challengeId: string, body: Record<string, unknown>) =>
      ctx.browser('POST', `/v1/challenges/${challengeId}/verify`, body);
    // Ivy's only factor is her email (aal1): she steps up with it, her strongest factor.
    const gate1 = await ctx.call('POST', '/v1/enrollments', { userId: 'ivy', subject, method: 'totp' });
    expect(gate1.body.requirement).toMatchObject({ level: 'aal1', methods: ['email_otp'] });
    await ctx.browser('POST', `/v1/challenges/${gate1.body.challenge.id}/start`, { method: 'email_otp' });
    const code = await lastCode(ctx, 'ivy@example.com');
    const token1 = (await stepUp(gate1.body.challenge.id, { method: 'email_otp', code })).body
      .token as string;
    const { secret: first } = await enrollTotp(ctx, 'ivy', { stepUpToken: token1 });
    // The step-up token opened one ticket only.
    const again = await ctx.call('POST', '/v1/enrollments', {
      userId: 'ivy',
      subject,
      method: 'totp',
      stepUpToken: token1,
    });
    expect(again.body.decision).toBe('step_up');
    // A transfer step-up is open; during it, Ivy adds a second TOTP after stepping up with the first (aal2).
    const pending = (await transfer(ctx, 'ivy', BIG)).challenge.id;
    const gate2 = await ctx.call('POST', '/v1/enrollments', { userId: 'ivy', subject, method: 'totp' });
    expect(gate2.body.requirement).toMatchObject({ level: 'aal2', methods: ['totp'] });
    const token2 = (
      await stepUp(gate2.body.challenge.id, { method: 'totp', code: totpCode(first, ctx.clock()) })
    ).body.token;
    ctx.clock.advance(30_000);
    const added = await enrollTotp(ctx, 'ivy', { stepUpToken: token2 });
    const { body: outbox } = await ctx.admin('GET', '/v1/dev/outbox?to=ivy%40example.com');
    expect(outbox.messages.filter((m: { kind: string }) => m.kind === 'factor_added')).toHaveLength(2);
    // S24: the new factor's code does not satisfy the step-up that was open when it was added.
    const viaNew = await stepUp(pending, { method: 'totp', code: totpCode(added.secret, ctx.clock()) });
    expect(viaNew.body.error.code).toBe('challenge_failed');
    const viaOld = await stepUp(pending, { method: 'totp', code: totpCode(first, ctx.clock()) });
    expect(viaOld.status).toBe(200);
  });

  it('S31, S33: a ticket issued without a step-up (first factor) dies once the user has a factor', async () => {
    const subject = { id: 'kai', sessionId: 's-kai', acr: 'aal1' };
    const first = await ctx.call('POST', '/v1/enrollments', { userId: 'kai', subject, method: 'totp' });
    const second = await ctx.call('POST', '/v1/enrollments', { userId: 'kai', subject, method: 'totp' });
    expect([first.body.ticket, second.body.ticket]).toEqual([expect.any(String), expect.any(String)]);
    const confirm = async (ticket: string) => {
      const { body } = await ctx.browser('POST', `/v1/enrollments/${ticket}/totp`, {});
      return ctx.browser('POST', `/v1/enrollments/${ticket}/totp/confirm`, {
        code: totpCode(body.secret, ctx.clock()),
      });
    };
    expect((await confirm(first.body.ticket)).status).toBe(200);
    // Kai has a factor now: a second one needs a step-up with it, not the stale first-factor ticket.
    const stale = await confirm(second.body.ticket);
    expect(stale.status).toBe(404);
    expect(stale.body.error.code).toBe('not_found');
    expect(await ctx.svc.store.listFactors('kai')).toHaveLength(1);
  });

  it('S33: a TOTP added after an aal1 (email) proof is aal2 while no factor reaches aal2, then capped at aal1', async () => {
    await ctx.call('PUT', '/v1/users/lea', { email: 'lea@example.com' });
    const subject = { id: 'lea', sessionId: 's-lea', acr: 'aal1' };
    const ticketAfterEmail = async () => {
      const gate = await ctx.call('POST', '/v1/enrollments', { userId: 'lea', subject, method: 'totp' });
      expect(gate.body.requirement).toMatchObject({ level: 'aal1', methods: ['email_otp'] });
      const id = gate.body.challenge.id;
      await ctx.browser('POST', `/v1/challenges/${id}/start`, { method: 'email_otp' });
      const code = await lastCode(ctx, 'lea@example.com');
      const token = (await ctx.browser('POST', `/v1/challenges/${id}/verify`, { method: 'email_otp', code }))
        .body.token;
      const ticket = await ctx.call('POST', '/v1/enrollments', {
        userId: 'lea',
        subject,
        method: 'totp',
        stepUpToken: token,
      });
      return ticket.body.ticket as string;
    };
    // Both tickets are opened while Lea's only factor is her email.
    const tickets = [await ticketAfterEmail(), await ticketAfterEmail()];
    const confirm = async (ticket: string) => {
      const { body } = await ctx.browser('POST', `/v1/enrollments/${ticket}/totp`, {});
      const ok = await ctx.browser('POST', `/v1/enrollments/${ticket}/totp/confirm`, {
        code: totpCode(body.secret, ctx.clock()),
      });
      return ok.body.factor;
    };
    const first = await confirm(tickets[0]!);
    expect(first.maxLevel).toBe('aal2');
    const second = await confirm(tickets[1]!);
    expect(second.maxLevel).toBe('aal1');
    const { body } = await ctx.admin('GET', '/v1/audit?user=lea&type=factor.added');
    const detailOf = (id: string) =>
      body.records.find((r: { event: { factorId: string } }) => r.event.factorId === id).event.detail;
    expect(detailOf(first.id)).toEqual({
      provenLevel: 'aal1',
      levelAboveProof: true,
      reason: 'no_factor_at_level',
    });
    expect(detailOf(second.id)).toEqual({ provenLevel: 'aal1', reason: 'capped_to_proof' });
  });

  it('S9: the raw database holds no TOTP secret in the clear', async () => {
    const { secret } = await enrollTotp(ctx, 'jon');
    const bytes = Buffer.from(Secret.fromBase32(secret).bytes);
    const files = ['stepgate.db', 'stepgate.db-wal'].map((f) => join(dataDir, f)).filter(existsSync);
    for (const file of files) {
      const raw = readFileSync(file);
      expect(raw.includes(bytes)).toBe(false);
      expect(raw.includes(Buffer.from(secret))).toBe(false);
      expect(raw.includes(Buffer.from(bytes.toString('hex')))).toBe(false);
      expect(raw.includes(Buffer.from(bytes.toString('base64url')))).toBe(false);
    }
  });
});

describe('S32: the dev outbox', () => {
  it('does not exist in a default install, and needs the admin key when configured', async () => {
    const plain = await start();
    const res = await client({ url: plain.url, apiKey: plain.adminKey })('GET', '/v1/dev/outbox');
    expect(res.status).toBe(404);
    await plain.close();
    const dev = await startWithChallenges();
    expect((await dev.call('GET', '/v1/dev/outbox')).status).toBe(403);
    expect((await dev.browser('GET', '/v1/dev/outbox')).status).toBe(401);
    expect((await dev.admin('GET', '/v1/dev/outbox')).body).toEqual({ messages: [] });
    await dev.svc.close();
  });
});
