import type { ChallengeDeps } from '../challenges/challenge-deps.js';
import type { FactorRecord } from '../stores/store.js';

const NAMES: Record<string, string> = {
  totp: 'An authenticator app',
  webauthn: 'A security key or passkey',
  biometric: 'A device key',
};

const CHANGES = {
  added: {
    kind: 'factor_added',
    subject: 'A new sign-in method was added to your account',
    verb: 'added to',
    failure: 'factor announcement failed',
  },
  removed: {
    kind: 'factor_removed',
    subject: 'A sign-in method was removed from your account',
    verb: 'removed from',
    failure: 'factor removal announcement failed',
  },
} as const;

/**
 * Tells the user, at every contact point they have, that a factor was added or removed (S31), so
 * an attacker who changes one cannot do it silently. A contact point that cannot be reached is
 * logged and audited; the change stands.
 *
 * @returns how many contact points were told.
 */
async function announceFactorChange(
  deps: ChallengeDeps,
  factor: FactorRecord,
  change: keyof typeof CHANGES,
  at: number,
): Promise<number> {
  const { kind, subject, verb, failure } = CHANGES[change];
  const user = await deps.store.getUser(factor.userId);
  const what = NAMES[factor.method] ?? factor.method;
  const label = factor.label ? ` ("${factor.label}")` : '';
  const text = `${what}${label} was ${verb} your account at ${new Date(at).toISOString()}. If this was not you, contact support now.`;
  const targets = [
    { channel: 'email' as const, to: user?.email, sender: deps.senders.email },
    { channel: 'sms' as const, to: user?.phone, sender: deps.senders.sms },
  ];
  let sent = 0;
  for (const { channel, to, sender } of targets) {
    if (to === undefined || !sender) continue;
    let outcome = 'ok';
    try {
      await sender.send({ kind, channel, to, userId: factor.userId, subject, text });
      sent++;
    } catch (err) {
      outcome = 'failed';
      deps.log.warn({ err, userId: factor.userId, channel }, failure);
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

/**
 * Announces a factor that was just added (at its `createdAt`).
 *
 * @example
 * await announceFactorAdded(deps, factor);
 */
export function announceFactorAdded(deps: ChallengeDeps, factor: FactorRecord): Promise<number> {
  return announceFactorChange(deps, factor, 'added', factor.createdAt);
}

/**
 * Announces a factor that was removed at `at`.
 *
 * @example
 * await announceFactorRemoved(deps, factor, Date.now());
 */
export function announceFactorRemoved(
  deps: ChallengeDeps,
  factor: FactorRecord,
  at: number,
): Promise<number> {
  return announceFactorChange(deps, factor, 'removed', at);
}
