import type { Method } from '@stepgate/protocol';
import type { ChallengeDeps } from '../challenges/challenge-deps.js';
import { maskEmail, maskPhone } from '../challenges/mask.js';
import type { OutgoingMessage } from '../senders/sender.js';
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

/** Where a notice goes: a user's email address and phone number, as far as they have them. */
export interface ContactPoints {
  email?: string;
  phone?: string;
}

/** The message of a notice; the address and channel are filled per contact point. */
type Notice = Pick<OutgoingMessage, 'kind' | 'userId' | 'subject' | 'text'>;

/**
 * Sends a notice to each contact point (once per address) and audits each delivery as
 * `factor.announced`. A contact point that cannot be reached is logged and audited; the change
 * stands.
 *
 * @returns how many contact points were told.
 */
async function deliver(
  deps: ChallengeDeps,
  points: readonly ContactPoints[],
  notice: Notice,
  audited: { method: Method; factorId?: string; failure: string },
): Promise<number> {
  const seen = new Set<string>();
  const targets = points.flatMap((p) => [
    { channel: 'email' as const, to: p.email, sender: deps.senders.email },
    { channel: 'sms' as const, to: p.phone, sender: deps.senders.sms },
  ]);
  let sent = 0;
  for (const { channel, to, sender } of targets) {
    if (to === undefined || !sender || seen.has(`${channel}:${to}`)) continue;
    seen.add(`${channel}:${to}`);
    let outcome = 'ok';
    try {
      await sender.send({ ...notice, channel, to });
      sent++;
    } catch (err) {
      outcome = 'failed';
      deps.log.warn({ err, userId: notice.userId, channel }, audited.failure);
    }
    await deps.events.append({
      type: 'factor.announced',
      who: { userId: notice.userId },
      what: { method: audited.method },
      ...(audited.factorId === undefined ? {} : { factorId: audited.factorId }),
      outcome,
      detail: { channel: sender.kind === 'dev' ? 'dev' : channel },
    });
  }
  return sent;
}

/**
 * Tells the user, at every contact point they have, that a factor was added or removed (S31), so
 * an attacker who changes one cannot do it silently.
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
  return deliver(
    deps,
    user ? [user] : [],
    { kind, userId: factor.userId, subject, text },
    {
      method: factor.method,
      factorId: factor.id,
      failure,
    },
  );
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

/** A contact point that changed: its value before and after (absent: none). */
export interface ContactChange {
  method: 'email_otp' | 'sms_otp';
  from?: string;
  to?: string;
}

/** A contact point as a notice shows it: masked, enough to recognise it (`j***@example.com`, `•••• 5678`). */
export const maskContact = (method: ContactChange['method'], value: string): string =>
  method === 'email_otp' ? maskEmail(value) : maskPhone(value);

function describeContactChange(c: ContactChange): string {
  const what = c.method === 'email_otp' ? 'email address' : 'phone number';
  const mask = (v: string) => maskContact(c.method, v);
  if (c.from !== undefined && c.to !== undefined)
    return `The ${what} of your account was changed from ${mask(c.from)} to ${mask(c.to)}`;
  if (c.to !== undefined) return `The ${what} ${mask(c.to)} was added to your account`;
  return `The ${what} ${mask(c.from ?? '')} was removed from your account`;
}

/**
 * Announces a change of contact points (email, phone: factors, S31, S33) at every contact point
 * the user had before it and has after it — the old address learns it was replaced, the new one
 * that it was added — one message per address (`kind: 'contact_changed'`).
 *
 * @returns how many contact points were told.
 * @example
 * await announceContactChange(deps, { userId: 'u1', changes: [{ method: 'sms_otp', from: '+33611111111', to: '+33622222222' }],
 *   before: { phone: '+33611111111' }, after: { phone: '+33622222222' }, at: Date.now() });
 */
export function announceContactChange(
  deps: ChallengeDeps,
  p: {
    userId: string;
    changes: readonly ContactChange[];
    before: ContactPoints;
    after: ContactPoints;
    at: number;
  },
): Promise<number> {
  const lines = p.changes.map(describeContactChange).join('; ');
  return deliver(
    deps,
    [p.before, p.after],
    {
      kind: 'contact_changed',
      userId: p.userId,
      subject: 'The contact details of your account changed',
      text: `${lines} at ${new Date(p.at).toISOString()}. If this was not you, contact support now.`,
    },
    { method: p.changes[0]?.method ?? 'email_otp', failure: 'contact change announcement failed' },
  );
}

/**
 * Announces a user's erasure (`DELETE /v1/users/{id}`, S31) at the contact points they had: what
 * went — each sign-in method and contact point — one message per address
 * (`kind: 'factor_removed'`). Called after the erasure, with what was read before it.
 *
 * @returns how many contact points were told.
 * @example
 * await announceUserErased(deps, { userId: 'u1', contacts: { email: 'a@example.com' }, factors, at: Date.now() });
 */
export function announceUserErased(
  deps: ChallengeDeps,
  p: { userId: string; contacts: ContactPoints; factors: readonly FactorRecord[]; at: number },
): Promise<number> {
  const what = [
    ...p.factors.map((f) =>
      `${NAMES[f.method] ?? f.method}${f.label ? ` ("${f.label}")` : ''}`.toLowerCase(),
    ),
    ...(p.contacts.email === undefined
      ? []
      : [`the email address ${maskContact('email_otp', p.contacts.email)}`]),
    ...(p.contacts.phone === undefined
      ? []
      : [`the phone number ${maskContact('sms_otp', p.contacts.phone)}`]),
  ];
  const method = p.factors[0]?.method ?? (p.contacts.email === undefined ? 'sms_otp' : 'email_otp');
  return deliver(
    deps,
    [p.contacts],
    {
      kind: 'factor_removed',
      userId: p.userId,
      subject: 'Your sign-in methods were removed',
      text: `Every sign-in method of your account was removed at ${new Date(p.at).toISOString()}: ${what.join(', ')}. If this was not you, contact support now.`,
    },
    { method, failure: 'erasure announcement failed' },
  );
}
