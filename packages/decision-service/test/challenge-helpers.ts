import { Secret } from 'otpauth';
import { hotp } from '../src/challenges/totp.js';
import type { RunningService, StartOptions } from '../src/index.js';
import { client, start, testClock } from './helpers.js';

/** Policies of the challenge tests: a fresh check (aal1), a second factor (aal2), aal3 for roles. */
export const CHALLENGE_POLICY = `
policies:
  - id: fresh-check-for-transfers
    when: { action: payments.transfer, transaction.amount: { gt: 500 } }
    require: { level: aal1, maxAge: 0, bindTransaction: true }
  - id: high-value-transfer
    when: { action: payments.transfer, transaction.amount: { gt: 10000 } }
    require: { level: aal2, maxAge: 0, bindTransaction: true }
  - id: admin-keys
    when: { action: admin.keys.rotate }
    require: { level: aal3, maxAge: 15m }
default: allow
`;

/** A transfer that needs a second factor, and one that needs a fresh check only. */
export const BIG = { amount: 20_000, currency: 'EUR', payee: 'FR76 3000 6000 0112 3456 7890 189' };
export const SMALL = { amount: 600, currency: 'EUR', payee: 'Bob' };

/** Starts the service with the dev sender on both channels and the challenge policies. */
export async function startWithChallenges(options: StartOptions = {}) {
  const clock = testClock();
  const svc = await start({
    clock,
    policies: CHALLENGE_POLICY,
    ...options,
    config: {
      origins: ['https://bank.example'],
      senders: { email: { type: 'dev' }, sms: { type: 'dev' } },
      ...(typeof options.config === 'object' ? options.config : {}),
    },
  });
  return {
    svc,
    clock,
    call: client(svc),
    admin: client({ url: svc.url, apiKey: svc.adminKey }),
    browser: browser(svc),
  };
}

/** A browser's calls: no API key. */
export function browser(svc: { url: string }) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${svc.url}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: answers are JSON checked by each assertion
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any, headers: res.headers };
  };
}

/** The TOTP code of a base32 secret at a Unix time in ms, shifted by `steps`. */
export const totpCode = (base32: string, ms: number, steps = 0): string =>
  hotp(Buffer.from(Secret.fromBase32(base32).bytes), Math.floor(ms / 30_000) + steps);

/** Enrolls a first TOTP factor over HTTP; returns its secret. Advances the clock one step after. */
export async function enrollTotp(
  ctx: Awaited<ReturnType<typeof startWithChallenges>>,
  userId: string,
  extra: { stepUpToken?: string } = {},
): Promise<{ secret: string; factorId: string }> {
  const ticket = await ctx.call('POST', '/v1/enrollments', {
    userId,
    subject: { id: userId, sessionId: `s-${userId}`, acr: 'aal1' },
    method: 'totp',
    ...extra,
  });
  if (!ticket.body.ticket) throw new Error(`no ticket: ${JSON.stringify(ticket.body)}`);
  const { body } = await ctx.browser('POST', `/v1/enrollments/${ticket.body.ticket}/totp`, {});
  const confirm = await ctx.browser('POST', `/v1/enrollments/${ticket.body.ticket}/totp/confirm`, {
    code: totpCode(body.secret, ctx.clock()),
    label: 'phone',
  });
  if (confirm.status !== 200) throw new Error(`confirm failed: ${JSON.stringify(confirm.body)}`);
  ctx.clock.advance(30_000);
  return { secret: body.secret, factorId: confirm.body.factor.id };
}

/** Asks for a decision on a transfer for a user; returns the answer body. */
export async function transfer(
  ctx: { call: ReturnType<typeof client> },
  userId: string,
  transaction: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  const res = await ctx.call('POST', '/v1/decisions', {
    subject: { id: userId, sessionId: `s-${userId}`, acr: 'aal1' },
    action: { name: 'payments.transfer' },
    transaction,
    ...extra,
  });
  return res.body;
}

/** The last code the dev outbox holds for a destination. */
export async function lastCode(ctx: { admin: ReturnType<typeof client> }, to: string): Promise<string> {
  const { body } = await ctx.admin('GET', `/v1/dev/outbox?to=${encodeURIComponent(to)}`);
  const code = body.messages.filter((m: { kind: string }) => m.kind === 'code').at(-1)?.code;
  if (!code) throw new Error(`no code for ${to}`);
  return code;
}

export type { RunningService };
