import { describe, expect, it } from 'vitest';
import { CHALLENGE_POLICY, lastCode, SMALL, startWithChallenges, transfer } from './challenge-helpers.js';

const LABELLED = `${CHALLENGE_POLICY}
actions:
  payments.transfer: { label: { en: Transfer money, fr: Virement } }
`;

/** The last code message the dev outbox holds for an address. */
async function lastMessage(ctx: Awaited<ReturnType<typeof startWithChallenges>>, to: string) {
  const { body } = await ctx.admin('GET', `/v1/dev/outbox?to=${encodeURIComponent(to)}`);
  return body.messages.filter((m: { kind: string }) => m.kind === 'code').at(-1) as {
    text: string;
    actionLabel?: Record<string, string>;
  };
}

async function emailStepUp(policies: string) {
  const ctx = await startWithChallenges({ policies });
  await ctx.svc.store.upsertUser({ id: 'max', email: 'max@example.com', updatedAt: ctx.clock() });
  const id = (await transfer(ctx, 'max', SMALL)).challenge.id as string;
  const view = await ctx.browser('GET', `/v1/challenges/${id}`);
  const start = await ctx.browser('POST', `/v1/challenges/${id}/start`, { method: 'email_otp' });
  expect(start.status).toBe(200);
  await lastCode(ctx, 'max@example.com');
  const message = await lastMessage(ctx, 'max@example.com');
  await ctx.svc.close();
  return { view: view.body, message };
}

describe('action labels from the policies (issue 19)', () => {
  it('the challenge view carries the labels, and the emailed code names the label, never the action id', async () => {
    const { view, message } = await emailStepUp(LABELLED);
    expect(view.action).toBe('payments.transfer');
    expect(view.actionLabel).toEqual({ en: 'Transfer money', fr: 'Virement' });
    expect(message.text).toContain('to approve Transfer money: 600 EUR to Bob.');
    expect(message.text).not.toContain('payments.transfer');
    // A webhook receiver with its own templates gets every language.
    expect(message.actionLabel).toEqual({ en: 'Transfer money', fr: 'Virement' });
  });

  it('without labels the view has none and the message names the amount and payee only', async () => {
    const { view, message } = await emailStepUp(CHALLENGE_POLICY);
    expect(view.actionLabel).toBeUndefined();
    expect(message.text).toContain('to approve 600 EUR to Bob.');
    expect(message.text).not.toContain('payments.transfer');
  });

  it('a label that is not text, or a language tag that is not one, is refused at load with its location', async () => {
    await expect(
      startWithChallenges({
        policies: `${CHALLENGE_POLICY}\nactions:\n  payments.transfer: { label: { en: 42 } }\n`,
      }),
    ).rejects.toThrow(/actions/);
    await expect(
      startWithChallenges({
        policies: `${CHALLENGE_POLICY}\nactions:\n  payments.transfer: { label: { 'not a tag': Pay } }\n`,
      }),
    ).rejects.toThrow(/actions/);
  });
});
