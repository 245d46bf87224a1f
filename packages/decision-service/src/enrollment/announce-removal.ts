import type { ChallengeDeps } from '../challenges/challenge-deps.js';
import type { FactorRecord } from '../stores/store.js';

const NAMES: Record<string, string> = {
  totp: 'An authenticator app',
  webauthn: 'A security key or passkey',
  biometric: 'A device key',
};

/**
 * Tells the user, at every contact point they have, that a factor was removed (S31), so an
 * attacker who removes one cannot do it silently. An unreachable contact point is logged and
 * audited; the removal stands.
 *
 * @returns how many contact points were told.
 * @example
 * await announceFactorRemoved(deps, factor, Date.now());
 */
export async function announceFactorRemoved(
  deps: ChallengeDeps,
  factor: FactorRecord,
  at: number,
): Promise<number> {
  const user = await deps.store.getUser(factor.userId);
  const what = NAMES[factor.method] ?? factor.method;
  const label = factor.label ? ` ("${factor.label}")` : '';
  const text = `${what}${label} was removed from your account at ${new Date(at).toISOString()}. If this was not you, contact support now.`;
  const targets = [
    { channel: 'email' as const, to: user?.email, sender: deps.senders.email },
    { channel: 'sms' as const, to: user?.phone, sender: deps.senders.sms },
  ];
  let sent = 0;
  for (const { channel, to, sender } of targets) {
    if (to === undefined || !sender) continue;
    let outcome = 'ok';
    try {
      await sender.send({
        kind: 'factor_removed',
        channel,
        to,
        userId: factor.userId,
        subject: 'A sign-in method was removed from your account',
        text,
      });
      sent++;
    } catch (err) {
      outcome = 'failed';
      deps.log.warn({ err, userId: factor.userId, channel }, 'factor removal announcement failed');
    }
    await deps.events.append({
      type: 'factor.announced',
      who: { userId: factor.userId },
      what: { method: factor.method },
      factorId: factor.id,
      outcome,
      detail: { channel: sender.kind === 'dev' ? 'dev' : channel },
    });
  }
  return sent;
}
