import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../src/index.js';
import { client, start, testClock } from './helpers.js';

describe('POST /v1/decisions', () => {
  const clock = testClock();
  let svc: RunningService;
  let call: ReturnType<typeof client>;
  beforeAll(async () => {
    svc = await start({ clock });
    call = client(svc);
    await call('PUT', '/v1/users/alice', { email: 'alice@example.com', phone: '+33612345678' });
  });
  afterAll(() => svc.close());

  it('allows an ordinary request', async () => {
    const res = await call('POST', '/v1/decisions', {
      subject: { id: 'alice' },
      action: { name: 'payments.list' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ decision: 'allow', reportOnly: [] });
    expect(res.body.decisionId).toMatch(/^dec_/);
    expect(res.body.policyVersion).toBe(svc.policyVersion());
  });

  it('steps up a high-value transfer and creates a challenge limited to enrolled methods', async () => {
    const res = await call('POST', '/v1/decisions', {
      subject: { id: 'alice', sessionId: 's1', authTime: clock() / 1000 - 60 },
      action: { name: 'payments.transfer' },
      transaction: { amount: 5000, currency: 'EUR', payee: 'FR76…' },
    });
    expect(res.status).toBe(200);
    expect(res.body.decision).toBe('step_up');
    expect(res.body.requirement).toMatchObject({
      level: 'aal2',
      maxAge: 0,
      bindTransaction: true,
      singleUse: true,
    });
    expect(res.body.challenge.id).toMatch(/^chl_[A-Za-z0-9_-]{22,}$/);
    expect(res.body.challenge.methods).toEqual(['sms_otp']);
    expect(Date.parse(res.body.challenge.expiresAt)).toBe(clock() + 300_000);
    const stored = await svc.stores.challenges.getChallenge(res.body.challenge.id);
    expect(stored).toMatchObject({
      userId: 'alice',
      sessionId: 's1',
      action: 'payments.transfer',
      status: 'pending',
    });
  });

  it('denies a step-up the user cannot meet (no enrolled method), never downgrades', async () => {
    const res = await call('POST', '/v1/decisions', {
      subject: { id: 'nobody' },
      action: { name: 'payments.transfer' },
      transaction: { amount: 5000 },
    });
    expect(res.body.decision).toBe('deny');
    expect(res.body.challenge).toBeUndefined();
  });

  it('denies what a policy denies', async () => {
    const res = await call('POST', '/v1/decisions', {
      subject: { id: 'alice' },
      action: { name: 'account.delete' },
    });
    expect(res.body.decision).toBe('deny');
    expect(res.body.reasons.map((r: { policyId: string }) => r.policyId)).toContain('account-delete');
  });

  it('S1: auth_time = now − maxAge − 1 s gives step_up; within maxAge allows', async () => {
    const now = Math.floor(clock() / 1000);
    const stale = await call('POST', '/v1/decisions', {
      subject: { id: 'alice', authTime: now - 300 - 1, acr: 'aal1' },
      action: { name: 'profile.email.change' },
    });
    expect(stale.body.decision).toBe('step_up');
    const fresh = await call('POST', '/v1/decisions', {
      subject: { id: 'alice', authTime: now - 300, acr: 'aal1' },
      action: { name: 'profile.email.change' },
    });
    expect(fresh.body.decision).toBe('allow');
  });

  it('S22: an unknown action follows the stated default', async () => {
    const res = await call('POST', '/v1/decisions', {
      subject: { id: 'alice' },
      action: { name: 'never.heard.of' },
    });
    expect(res.body.decision).toBe('allow');
  });
});
