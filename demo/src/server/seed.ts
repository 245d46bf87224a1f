import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stepgate } from '@stepgate/node-client';
import type { Customer } from './bank.js';
import type { ServiceAdmin } from './service-admin.js';
import { totpCode } from './totp.js';

/** What seeding left for later runs: Carol's authenticator secret, when enrollment exists. */
export interface SeedState {
  totp: Record<string, string>;
}

const post = async (url: string, body: unknown) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
};

/**
 * Gives a first factor (an authenticator app) to a user who has none yet, the way a phone would:
 * ticket → secret → confirming code. Answers the secret, or undefined when the service has no
 * enrollment routes or the user already has a factor.
 */
export async function enrollFirstTotp(
  stepgate: Stepgate,
  serviceUrl: string,
  userId: string,
): Promise<string | undefined> {
  const subject = { id: userId, sessionId: `seed-${userId}`, acr: 'aal1' };
  const answer = await stepgate.createEnrollmentTicket(userId, subject, 'totp').catch(() => undefined);
  if (!answer || !('ticket' in answer)) return undefined;
  const base = `${serviceUrl}/v1/enrollments/${answer.ticket}`;
  const started = await post(`${base}/totp`, {});
  const secret = started.body.secret;
  if (started.status !== 200 || typeof secret !== 'string') return undefined;
  const confirmed = await post(`${base}/totp/confirm`, {
    code: totpCode(secret, Date.now()),
    label: 'Phone',
  });
  return confirmed.status === 200 ? secret : undefined;
}

/**
 * Registers the demo customers with the decision service (their email counts as an enrolled
 * email code) and, once, Carol's authenticator app. Idempotent: a second run reuses `seed.json`.
 */
export async function seedUsers(
  stepgate: Stepgate,
  admin: ServiceAdmin,
  serviceUrl: string,
  dataDir: string,
  customers: readonly Customer[],
): Promise<SeedState> {
  const file = join(dataDir, 'seed.json');
  const state: SeedState = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as SeedState)
    : { totp: {} };
  for (const c of customers) {
    // Carol's TOTP first: with no factor yet (not even her email), enrollment needs no step-up (S31).
    if (c.id === 'carol' && state.totp.carol === undefined) {
      await admin.putUser(c.id, { displayName: c.name, email: null });
      const secret = await enrollFirstTotp(stepgate, serviceUrl, c.id);
      if (secret !== undefined) state.totp.carol = secret;
      // Her email is now a second factor: an app would need a step-up to add it; the bank's
      // operator provisions it with the admin key (audited as such, announced to the address).
      await admin.putUser(c.id, { displayName: c.name, email: c.email });
      continue;
    }
    // A first contact point (or an unchanged one on a later run) is a plain call.
    await stepgate.upsertUser(c.id, { displayName: c.name, email: c.email });
  }
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  return state;
}
