import { randomBytes } from 'node:crypto';
import type { FactorView, Level, Method } from '@stepgate/protocol';
import type { ChallengeDeps } from '../challenges/challenge-deps.js';
import type { WebAuthnContext } from '../challenges/webauthn.js';
import type { EnrollmentTicketRecord } from '../stores/challenge-store.js';
import type { FactorRecord } from '../stores/store.js';
import { announceFactorAdded } from './announce.js';
import { type CredentialData, describeFactor } from './credential-data.js';
import { newFactorLevel } from './new-factor-level.js';

/** A new possession factor to save. */
export interface NewPossessionFactor {
  ticket: EnrollmentTicketRecord;
  method: Method;
  /** The highest level the credential itself can reach; the factor is stored at most at the ticket's proven level ({@link newFactorLevel}). */
  credentialLevel: Level;
  data: CredentialData;
  /** WebAuthn: the signature counter at registration. */
  counter?: number;
  /** WebAuthn: the BS flag (backed up) at registration. @defaultValue false */
  backupState?: boolean;
  label?: string;
}

/**
 * Saves a WebAuthn or device-key factor: its level (the credential's, capped at what the ticket's
 * step-up proved, S33), indexes the credential id (unique across users, so a credential can never
 * belong to two accounts, S13), spends the ticket, stores the factor, audits `factor.added` and
 * announces it at every contact point (S31).
 *
 * @returns the factor's view, or undefined when the credential is already registered or the
 *   ticket was spent meanwhile.
 * @throws StepgateError `not_found` for a first-factor ticket of a user who has a factor by now.
 * @example
 * const view = await saveFactor(deps, wa, { ticket, method: 'webauthn', credentialLevel: 'aal3', data, counter: 0 });
 */
export async function saveFactor(
  deps: ChallengeDeps,
  wa: WebAuthnContext,
  p: NewPossessionFactor,
): Promise<FactorView | undefined> {
  const now = deps.now();
  const factorId = `fac_${randomBytes(16).toString('base64url')}`;
  const t = p.ticket;
  const level = await newFactorLevel(deps, t, p.credentialLevel);
  if (p.data.kind === 'webauthn') {
    const indexed = await wa.store.insertCredential({
      credentialId: p.data.credentialId,
      factorId,
      userId: t.userId,
      counter: p.counter ?? 0,
      backupState: p.backupState ?? false,
    });
    if (!indexed) return undefined;
  }
  if (!(await deps.challenges.spendTicket(t.id, now))) {
    await wa.store.deleteByFactor(factorId);
    return undefined;
  }
  const factor: FactorRecord = {
    id: factorId,
    userId: t.userId,
    method: p.method,
    maxLevel: level.maxLevel,
    data: JSON.stringify(p.data),
    createdAt: now,
    ...(p.label === undefined ? {} : { label: p.label }),
  };
  await deps.store.insertFactor(factor);
  await deps.events.append({
    type: 'factor.added',
    who: { userId: t.userId, ...(t.sessionId === undefined ? {} : { sessionId: t.sessionId }) },
    what: { method: p.method, level: level.maxLevel },
    factorId,
    outcome: 'ok',
    detail: level.detail,
  });
  await announceFactorAdded(deps, factor);
  return describeFactor(factor);
}
