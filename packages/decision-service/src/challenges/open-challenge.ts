import type { ChallengeRef, Method, Requirement, Subject, Transaction } from '@stepgate/protocol';
import { timeOrderedId } from '../ids.js';
import type { ChallengeBinding } from '../stores/challenge-store.js';
import type { ChallengeRecord, DecisionEffects } from '../stores/store.js';
import { type BindingSnapshot, challengeBinding } from './bind-challenge.js';
import { type ChallengeDeps, withSession } from './challenge-deps.js';
import type { ChallengeEvent } from './challenge-events.js';

/**
 * A challenge id: `chl_`, the time, and 160 random bits in base64url (≥ 128 bits, docs/design/README.md "The
 * flow"; {@link timeOrderedId}).
 */
export const newChallengeId = (): string => `chl_${timeOrderedId(20)}`;

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

/** A challenge ready to be stored: its row, its binding, the answer's reference and its event. */
export interface PreparedChallenge {
  record: ChallengeRecord;
  binding: ChallengeBinding;
  ref: ChallengeRef;
  /** `challenge.created`, to be kept before the challenge is handed out. */
  event: ChallengeEvent;
}

/**
 * Builds a challenge bound to user, session, action and transaction digest, and what it may use
 * (its binding, S24) from the user's factors and contact points in `snapshot`. Stores nothing: a
 * decision stores it with its own record ({@link DecisionEffects.challenge}).
 */
export function prepareChallenge(
  deps: Pick<ChallengeDeps, 'settings' | 'acrValues'>,
  p: OpenChallengeParams,
  snapshot: BindingSnapshot,
): PreparedChallenge {
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
  const binding = challengeBinding(deps.acrValues, snapshot, {
    challengeId: id,
    subject: p.subject,
    expiresAt,
    ...(p.deviceId === undefined ? {} : { deviceId: p.deviceId }),
  });
  const event: ChallengeEvent = {
    type: 'challenge.created',
    who: withSession({ userId: p.subject.id, audience: p.audience }, p.subject.sessionId),
    what: { action: p.action, transactionDigest: p.digest, level: p.requirement.level },
    ...(p.ip === undefined ? {} : { where: { ip: p.ip } }),
    challengeId: id,
    decisionId: p.decisionId,
  };
  return {
    record,
    binding,
    event,
    ref: { id, expiresAt: new Date(expiresAt).toISOString(), methods: p.methods },
  };
}

/**
 * Creates and stores a challenge (see {@link prepareChallenge}) with the user's factors and
 * contact points as they are now, and emits `challenge.created`, resolving once that event is kept.
 *
 * @example
 * const ref = await openChallenge(deps, { subject, action: 'payments.transfer', digest, requirement,
 *   methods: ['totp'], decisionId, audience: 'default', now: Date.now() });
 */
export async function openChallenge(deps: ChallengeDeps, p: OpenChallengeParams): Promise<ChallengeRef> {
  const [factors, user] = await Promise.all([
    deps.store.listFactors(p.subject.id),
    deps.store.getUser(p.subject.id),
  ]);
  const prepared = prepareChallenge(deps, p, { factors, user });
  await deps.challenges.putBinding(prepared.binding);
  await deps.challenges.insertChallenge(prepared.record);
  await deps.events.append(prepared.event);
  return prepared.ref;
}
