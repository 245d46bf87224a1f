import type { ChallengeDeps } from '../challenges/challenge-deps.js';
import type { FactorRecord } from '../stores/store.js';

const NAMES: Record<string, string> = {
  totp: 'an authenticator app',
  webauthn: 'a security key or passkey',
  biometric: 'a device key',
};

/**
 * Tells the user, at every contact point they have, that a factor was added (S31), so an
 * attacker who adds one cannot do it silently. A contact point that cannot be reached is logged
 * and audited; the factor stays.
 */
export async function announceFactorAdded(deps: ChallengeDeps, factor: FactorRecord): Promise<number> {
  const user = await deps.store.getUser(factor.userId);
  const when = new Date(factor.createdAt).toISOString();
  const what = NAMES[factor.method] ?? factor.method;
  const label = factor.label ? ` ("${factor.label}")` : '';
  const text = `${what[0]!.toUpperCase()}${what.slice(1)}${label} was added to your account at ${when}. If this was not you, contact support now.`;
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
        kind: 'factor_added',
        channel,
        to,
        userId: factor.userId,
        subject: 'A new sign-in method was added to your account',
        text,
      });
      sent++;
    } catch (err) {
      outcome = 'failed';
      deps.log.warn({ err, userId: factor.userId, channel }, 'factor announcement failed');
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
