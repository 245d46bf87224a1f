import { randomBytes } from 'node:crypto';
import type { ChallengeRef, Method, Requirement, Subject, Transaction } from '@stepgate/protocol';
import type { ChallengeRecord } from '../stores/store.js';
import { bindChallenge } from './bind-challenge.js';
import { type ChallengeDeps, withSession } from './challenge-deps.js';

/** A challenge id: `chl_` + 160 random bits in base64url (≥ 128 bits, DESIGN.md "The flow"). */
export const newChallengeId = (): string => `chl_${randomBytes(20).toString('base64url')}`;

/** What a new challenge is bound to. */
export interface OpenChallengeParams {
  subject: Subject;
  action: string;
  transaction?: Transaction;
  /** `transactionDigest({ action, transaction })`, computed by the service. */
  digest: string;
  requirement: Requirement;
  /** Requirement methods ∩ the user's enrolled methods. */
  methods: Method[];
  /** The decision (or enrollment request) that asked for it. */
  decisionId: string;
  audience: string;
  deviceId?: string;
  ip?: string;
  now: number;
}

/**
 * Creates a challenge bound to user, session, action and transaction digest, records what it may
 * use (its binding, S24) and emits `challenge.created`, resolving once that event is kept.
 *
 * @example
 * const ref = await openChallenge(deps, { subject, action: 'payments.transfer', digest, requirement,
 *   methods: ['totp'], decisionId, audience: 'default', now: Date.now() });
 */
export async function openChallenge(deps: ChallengeDeps, p: OpenChallengeParams): Promise<ChallengeRef> {
  const { ref, audited } = await openChallengeUnawaited(deps, p);
  await audited;
  return ref;
}

/**
 * Like {@link openChallenge}, but resolves as soon as the challenge is stored: `audited` resolves
 * once `challenge.created` is kept. A decision awaits it together with its own audit record, so
 * both go in one audit commit; the challenge must not be handed out before `audited` resolves.
 */
export async function openChallengeUnawaited(
  deps: ChallengeDeps,
  p: OpenChallengeParams,
): Promise<{ ref: ChallengeRef; audited: Promise<void> }> {
  const id = newChallengeId();
  const expiresAt = p.now + deps.settings.lifetime * 1000;
  const record: ChallengeRecord = {
    id,
    userId: p.subject.id,
    action: p.action,
    digest: p.digest,
    requirement: JSON.stringify(p.requirement),
    methods: p.methods,
    decisionId: p.decisionId,
    audience: p.audience,
    createdAt: p.now,
    expiresAt,
    status: 'pending',
    attempts: 0,
  };
  if (p.subject.sessionId !== undefined) record.sessionId = p.subject.sessionId;
  if (p.transaction !== undefined) record.transaction = JSON.stringify(p.transaction);
  await bindChallenge(deps, {
    challengeId: id,
    subject: p.subject,
    expiresAt,
    ...(p.deviceId === undefined ? {} : { deviceId: p.deviceId }),
  });
  await deps.store.insertChallenge(record);
  const audited = deps.events.append({
    type: 'challenge.created',
    who: withSession({ userId: p.subject.id, audience: p.audience }, p.subject.sessionId),
    what: { action: p.action, transactionDigest: p.digest, level: p.requirement.level },
    ...(p.ip === undefined ? {} : { where: { ip: p.ip } }),
    challengeId: id,
    decisionId: p.decisionId,
  });
  audited.catch(() => {}); // awaited by the caller; this only keeps a failure from being "unhandled" meanwhile
  return { ref: { id, expiresAt: new Date(expiresAt).toISOString(), methods: p.methods }, audited };
}
