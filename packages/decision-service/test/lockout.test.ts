import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../src/cli/program.js';
import { createLogger } from '../src/index.js';
import {
  BIG,
  enrollTotp,
  lastCode,
  SMALL,
  startWithChallenges,
  totpCode,
  transfer,
} from './challenge-helpers.js';
import { freshDir } from './helpers.js';

const HOUR = 3_600_000;
/** Rate limits out of the way: only the lockout is at work. */
const rateLimits = { verifyPerIp: 10_000, verifyPerUser: 10_000, startPerIp: 10_000, startPerUser: 10_000 };

/** A service whose challenge events are kept for inspection. */
async function startLogged(lockout: Record<string, unknown> = {}, dataDir?: string) {
  const lines: string[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    }),
  );
  const ctx = await startWithChallenges({
    logger,
    ...(dataDir === undefined ? {} : { dataDir }),
    config: { challenges: { lifetime: '15m', lockout, rateLimits } },
  });
  const events = (type: string) =>
    lines
      .map((l) => JSON.parse(l))
      .filter((l) => l.event?.type === type)
      .map((l) => l.event);
  return { ...ctx, events };
}

type Ctx = Awaited<ReturnType<typeof startLogged>>;

/** The raw answer of a verify: status and body text, for byte comparisons. */
async function verifyRaw(ctx: Ctx, id: string, body: Record<string, unknown>) {
  const res = await fetch(`${ctx.svc.url}/v1/challenges/${id}/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

/** A TOTP step-up for a transfer with `code`, on a fresh challenge. */
async function totpStepUp(ctx: Ctx, userId: string, code: string) {
  const id = (await transfer(ctx, userId, BIG)).challenge.id as string;
  return verifyRaw(ctx, id, { method: 'totp', code });
}

/** `count` consecutive wrong TOTP codes, each on a fresh challenge, each after the longest wait. */
async function failTotp(ctx: Ctx, userId: string, secret: string, count: number) {
  for (let i = 0; i < count; i++) {
    ctx.clock.advance(HOUR);
    const res = await totpStepUp(ctx, userId, totpCode(secret, ctx.clock(), 7));
    expect(res.status).toBe(400);
  }
}

async function stepgate(args: string[]) {
  const out: string[] = [];
  const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
  await createProgram(io)
    .exitOverride()
    .parseAsync(['node', 'stepgate', ...args]);
  return out.join('\n');
}

describe('S35: lockout is a throttle with a hard cap', () => {
  it('S35, S10: below the cap, a back-off: 30 parallel wrong guesses compare 5 codes; inside the wait even the right code gets the same body; after it, the code works', async () => {
    const ctx = await startLogged();
    const other = await enrollTotp(ctx, 'hugo');
    const { secret } = await enrollTotp(ctx, 'gil');
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await transfer(ctx, 'gil', BIG)).challenge.id);
    const wrong = totpCode(secret, ctx.clock(), 9);
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        ctx.browser('POST', `/v1/challenges/${ids[i % 6]}/verify`, { method: 'totp', code: wrong }),
      ),
    );
    const failures = ctx.events('challenge.failed');
    expect(failures).toHaveLength(30);
    expect(failures.filter((e) => e.detail.failure === 'wrong_code')).toHaveLength(5);
    expect(failures.filter((e) => e.detail.failure === 'backoff')).toHaveLength(25);
    // Inside the 30 s wait the right code fails, with the body of any first failure on a fresh
    // challenge (a wrong code of another user here).
    const fresh = (await transfer(ctx, 'gil', BIG)).challenge.id;
    ctx.clock.advance(29_000);
    const waiting = await verifyRaw(ctx, fresh, { method: 'totp', code: totpCode(secret, ctx.clock()) });
    const wrongElsewhere = await totpStepUp(ctx, 'hugo', totpCode(other.secret, ctx.clock(), 9));
    expect(waiting.status).toBe(400);
    expect(waiting.text).toBe(wrongElsewhere.text);
    expect(JSON.parse(waiting.text).error).toMatchObject({ code: 'challenge_failed', attemptsLeft: 4 });
    // The refused try did not lengthen the wait: 30 s after the 5th failure, the code works.
    ctx.clock.advance(1_000);
    const ok = await verifyRaw(ctx, fresh, { method: 'totp', code: totpCode(secret, ctx.clock()) });
    expect(ok.status).toBe(200);
    await ctx.svc.close();
  });

  it('S35, S7: 100 consecutive failures across fresh challenges lock the factor for good: the 101st right code fails, also after the old 15 minutes and a day', async () => {
    const ctx = await startLogged({ authenticator: 100 });
    const { secret, factorId } = await enrollTotp(ctx, 'hal');
    await failTotp(ctx, 'hal', secret, 99);
    expect(ctx.events('challenge.locked')).toHaveLength(0);
    await failTotp(ctx, 'hal', secret, 1);
    expect(ctx.events('challenge.locked')).toEqual([
      expect.objectContaining({ outcome: 'authenticator_locked', factorId }),
    ]);
    for (const wait of [HOUR, 15 * 60_000 + 1000, 24 * HOUR]) {
      ctx.clock.advance(wait);
      const res = await totpStepUp(ctx, 'hal', totpCode(secret, ctx.clock()));
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).error).toMatchObject({ code: 'challenge_failed', attemptsLeft: 4 });
    }
    expect(
      ctx
        .events('challenge.failed')
        .slice(-3)
        .map((e) => e.detail.failure),
    ).toEqual(['locked', 'locked', 'locked']);
    await ctx.svc.close();
  });

  it('S35: a success with another factor at its level unlocks it (audited); a weaker one does not', async () => {
    const ctx = await startLogged({ authenticator: 3, backoff: { after: 3 } });
    const { secret, factorId } = await enrollTotp(ctx, 'ivy');
    await ctx.svc.store.upsertUser({
      id: 'ivy',
      email: 'ivy@example.com',
      phone: '+33655556666',
      updatedAt: ctx.clock(),
    });
    await failTotp(ctx, 'ivy', secret, 3);
    expect((await totpStepUp(ctx, 'ivy', totpCode(secret, ctx.clock()))).status).toBe(400);
    // An emailed code (aal1) is below the TOTP's aal2: the TOTP stays locked.
    const small = await transfer(ctx, 'ivy', SMALL);
    expect(small.challenge.methods).toContain('email_otp');
    await ctx.browser('POST', `/v1/challenges/${small.challenge.id}/start`, { method: 'email_otp' });
    const byEmail = await ctx.browser('POST', `/v1/challenges/${small.challenge.id}/verify`, {
      method: 'email_otp',
      code: await lastCode(ctx, 'ivy@example.com'),
    });
    expect(byEmail.status).toBe(200);
    expect((await totpStepUp(ctx, 'ivy', totpCode(secret, ctx.clock()))).status).toBe(400);
    expect(ctx.events('factor.unlocked')).toHaveLength(0);
    // A texted code reaches aal2, the TOTP's level: it unlocks the TOTP.
    const big = await transfer(ctx, 'ivy', BIG);
    expect(big.challenge.methods).toEqual(['totp', 'sms_otp']);
    await ctx.browser('POST', `/v1/challenges/${big.challenge.id}/start`, { method: 'sms_otp' });
    const bySms = await ctx.browser('POST', `/v1/challenges/${big.challenge.id}/verify`, {
      method: 'sms_otp',
      code: await lastCode(ctx, '+33655556666'),
    });
    expect(bySms.status).toBe(200);
    expect(ctx.events('factor.unlocked')).toEqual([
      expect.objectContaining({
        factorId,
        outcome: 'another_factor',
        what: { method: 'totp', level: 'aal2' },
        detail: { failures: 3 },
      }),
    ]);
    ctx.clock.advance(30_000);
    expect((await totpStepUp(ctx, 'ivy', totpCode(secret, ctx.clock()))).status).toBe(200);
    await ctx.svc.close();
  });

  it('S35: stepgate factor unlock unlocks a locked factor and audits it as factor.unlocked', async () => {
    const dataDir = freshDir();
    const ctx = await startLogged({ authenticator: 3, backoff: { after: 3 } }, dataDir);
    const { secret, factorId } = await enrollTotp(ctx, 'jon');
    await failTotp(ctx, 'jon', secret, 3);
    expect((await totpStepUp(ctx, 'jon', totpCode(secret, ctx.clock()))).status).toBe(400);
    const config = join(freshDir(), 'stepgate.yaml');
    writeFileSync(config, `dataDir: ${dataDir}\n`);
    await expect(stepgate(['factor', 'unlock', 'jon', 'fac_nope', '--config', config])).rejects.toThrow(
      /user jon has no factor fac_nope/,
    );
    await expect(stepgate(['factor', 'unlock', 'nobody', 'sms_otp', '--config', config])).rejects.toThrow(
      /no user nobody/,
    );
    expect(await stepgate(['factor', 'unlock', 'jon', 'totp', '--config', config])).toBe(
      `unlocked ${factorId} of jon: 3 consecutive failures cleared`,
    );
    ctx.clock.advance(30_000);
    expect((await totpStepUp(ctx, 'jon', totpCode(secret, ctx.clock()))).status).toBe(200);
    const { body } = await ctx.admin('GET', '/v1/audit?type=factor.unlocked');
    expect(body.records).toHaveLength(1);
    expect(body.records[0].event).toMatchObject({
      type: 'factor.unlocked',
      who: { userId: 'jon', operator: expect.any(String) },
      what: { method: 'totp' },
      factorId,
      outcome: 'operator',
      detail: { failures: 3 },
    });
    await ctx.svc.close();
  });
});
