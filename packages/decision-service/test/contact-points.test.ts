import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIG, lastCode, startWithChallenges } from './challenge-helpers.js';

type Ctx = Awaited<ReturnType<typeof startWithChallenges>>;

/** Messages the dev sender "sent" to one address. */
async function outbox(ctx: Ctx, to: string): Promise<Array<{ kind: string; text: string; code?: string }>> {
  const { body } = await ctx.admin('GET', `/v1/dev/outbox?to=${encodeURIComponent(to)}`);
  return body.messages;
}

/** The `factor.added` / `factor.removed` events of a user, oldest first. */
async function factorEvents(ctx: Ctx, userId: string) {
  const events = [];
  for (const type of ['factor.added', 'factor.removed']) {
    const { body } = await ctx.admin('GET', `/v1/audit?user=${userId}&type=${type}`);
    events.push(...body.records.map((r: { event: unknown }) => r.event));
  }
  return events;
}

/** S31, S33: an email address and a phone number are factors; changing them is a factor change. */
describe('contact points are factors (PUT /v1/users/{id})', () => {
  let ctx: Ctx;
  beforeAll(async () => {
    ctx = await startWithChallenges();
  });
  afterAll(() => ctx.svc.close());

  it('S33: a swapped phone number without a step-up receives no code that counts', async () => {
    const subject = { id: 'sam', sessionId: 's-sam', acr: 'aal1' };
    expect((await ctx.call('PUT', '/v1/users/sam', { phone: '+33600000001' })).status).toBe(200);
    const swap = await ctx.call('PUT', '/v1/users/sam', { phone: '+33699999999', subject });
    expect(swap.status).toBe(200);
    expect(swap.body).toMatchObject({
      decision: 'step_up',
      requirement: { level: 'aal2', methods: ['sms_otp'], maxAge: 0, bindTransaction: true, singleUse: true },
      challenge: { methods: ['sms_otp'] },
    });
    // The step-up shows the change it approves, and its code goes to the number Sam had.
    const view = await ctx.browser('GET', `/v1/challenges/${swap.body.challenge.id}`);
    expect(view.body.transaction).toEqual({ userId: 'sam', phone: '+33699999999' });
    expect(view.body.methods).toEqual([{ method: 'sms_otp', destination: '•••• 0001' }]);
    // Nothing changed: the next step-up still texts the old number, the new one gets nothing.
    expect((await ctx.svc.store.getUser('sam'))?.phone).toBe('+33600000001');
    const id = (
      await ctx.call('POST', '/v1/decisions', {
        subject,
        action: { name: 'payments.transfer' },
        transaction: BIG,
      })
    ).body.challenge.id;
    const sent = await ctx.browser('POST', `/v1/challenges/${id}/start`, { method: 'sms_otp' });
    expect(sent.body.sentTo).toBe('•••• 0001');
    // A token minted for another action does not open the change either.
    const { token } = ctx.svc.tokens.mintStepUpToken({
      sub: 'sam',
      aud: 'default',
      acr: 'urn:stepgate:aal3',
      amr: ['hwk'],
      authTime: Math.floor(ctx.clock() / 1000),
      sid: 's-sam',
      action: 'payments.transfer',
      digest: 'x',
    });
    const forged = await ctx.call('PUT', '/v1/users/sam', {
      phone: '+33699999999',
      subject,
      stepUpToken: token,
    });
    expect(forged.body.decision).toBe('step_up');
    expect(await outbox(ctx, '+33699999999')).toEqual([]);
    expect((await ctx.svc.store.getUser('sam'))?.phone).toBe('+33600000001');
  });

  it('S31: a swapped email after the step-up round trip over HTTP; announced to the old and the new address', async () => {
    const subject = { id: 'uma', sessionId: 's-uma', acr: 'aal1' };
    await ctx.call('PUT', '/v1/users/uma', { email: 'old.uma@example.com' });
    const change = { email: 'new.uma@example.com', subject };
    const first = await ctx.call('PUT', '/v1/users/uma', change);
    expect(first.body.requirement).toMatchObject({ level: 'aal1', methods: ['email_otp'] });
    const id = first.body.challenge.id;
    // The code goes to the address Uma has now, proving she holds it.
    await ctx.browser('POST', `/v1/challenges/${id}/start`, { method: 'email_otp' });
    const code = await lastCode(ctx, 'old.uma@example.com');
    const verified = await ctx.browser('POST', `/v1/challenges/${id}/verify`, { method: 'email_otp', code });
    expect(verified.status).toBe(200);
    // A token for this change opens no other change.
    const other = await ctx.call('PUT', '/v1/users/uma', {
      email: 'mallory@example.com',
      subject,
      stepUpToken: verified.body.token,
    });
    expect(other.body.decision).toBe('step_up');
    const done = await ctx.call('PUT', '/v1/users/uma', { ...change, stepUpToken: verified.body.token });
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ id: 'uma', email: 'new.uma@example.com' });
    // Once only.
    const replay = await ctx.call('PUT', '/v1/users/uma', {
      email: 'third.uma@example.com',
      subject,
      stepUpToken: verified.body.token,
    });
    expect(replay.body.decision).toBe('step_up');
    const toOld = (await outbox(ctx, 'old.uma@example.com')).filter((m) => m.kind === 'contact_changed');
    const toNew = (await outbox(ctx, 'new.uma@example.com')).filter((m) => m.kind === 'contact_changed');
    expect(toOld).toHaveLength(1);
    expect(toNew).toHaveLength(1);
    expect(toOld[0]!.text).toContain('changed from o***@example.com to n***@example.com');
    expect(await outbox(ctx, 'mallory@example.com')).toEqual([]);
    const events = await factorEvents(ctx, 'uma');
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'factor.removed',
          what: { method: 'email_otp', level: 'aal1' },
          who: expect.objectContaining({ userId: 'uma', sessionId: 's-uma', apiKeyId: expect.any(String) }),
          detail: { contact: 'o***@example.com', provenLevel: 'aal1' },
        }),
        expect.objectContaining({
          type: 'factor.added',
          what: { method: 'email_otp', level: 'aal1' },
          detail: { contact: 'n***@example.com', provenLevel: 'aal1' },
        }),
      ]),
    );
  });

  it('S31: first contact points stay a plain call, and so does a display name or an unchanged value', async () => {
    const set = await ctx.call('PUT', '/v1/users/val', {
      displayName: 'Val',
      email: 'val@example.com',
      phone: '+33600000002',
    });
    expect(set.body).toEqual({
      id: 'val',
      displayName: 'Val',
      email: 'val@example.com',
      phone: '+33600000002',
    });
    const renamed = await ctx.call('PUT', '/v1/users/val', {
      displayName: 'Val B.',
      email: 'val@example.com',
    });
    expect(renamed.body).toEqual({
      id: 'val',
      displayName: 'Val B.',
      email: 'val@example.com',
      phone: '+33600000002',
    });
    // No notice for a user's own first address; both are audited as first factors.
    expect(await outbox(ctx, 'val@example.com')).toEqual([]);
    expect(await outbox(ctx, '+33600000002')).toEqual([]);
    const events = await factorEvents(ctx, 'val');
    const summary = events.map((e: { type: string; what: { method: string }; detail: object }) => [
      e.type,
      e.what.method,
      e.detail,
    ]);
    expect(summary).toHaveLength(2);
    expect(summary).toEqual(
      expect.arrayContaining([
        [
          'factor.added',
          'email_otp',
          { contact: 'v***@example.com', levelAboveProof: true, reason: 'first_factor' },
        ],
        ['factor.added', 'sms_otp', { contact: '•••• 0002', levelAboveProof: true, reason: 'first_factor' }],
      ]),
    );
  });

  it('S31: an admin key changes a contact point without a step-up (operator recovery), audited as such and announced to both', async () => {
    await ctx.call('PUT', '/v1/users/wyn', { email: 'wyn@example.com', phone: '+33600000003' });
    const recovered = await ctx.admin('PUT', '/v1/users/wyn', { phone: '+33600000004' });
    expect(recovered.body).toEqual({ id: 'wyn', email: 'wyn@example.com', phone: '+33600000004' });
    for (const to of ['wyn@example.com', '+33600000003', '+33600000004']) {
      const notices = (await outbox(ctx, to)).filter((m) => m.kind === 'contact_changed');
      expect(notices, to).toHaveLength(1);
      expect(notices[0]!.text).toContain('changed from •••• 0003 to •••• 0004');
    }
    const added = (await factorEvents(ctx, 'wyn')).filter(
      (e: { type: string; detail: { reason?: string } }) =>
        e.type === 'factor.added' && e.detail.reason === 'admin_key',
    );
    expect(added).toEqual([
      expect.objectContaining({
        what: { method: 'sms_otp', level: 'aal2' },
        who: expect.objectContaining({ userId: 'wyn', apiKeyId: expect.stringMatching(/^key_/) }),
        detail: { contact: '•••• 0004', reason: 'admin_key' },
      }),
    ]);
  });

  it('S30: refuses a subject that is not the user', async () => {
    const res = await ctx.call('PUT', '/v1/users/sam', { phone: '+33600000009', subject: { id: 'eve' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
  });
});
