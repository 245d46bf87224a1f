import type { ChallengeRef, DecisionRequest, Method, Requirement } from '@stepgate/protocol';
import { randomId } from '../ids.js';
import type { Caller, ServiceContext } from '../service-context.js';

/** A challenge id: `chl_` + 160 random bits in base64url (≥ 128 bits, DESIGN.md "The flow"). */
export const newChallengeId = (): string => `chl_${randomId(20)}`;

/**
 * Creates the challenge of a `step_up` verdict, bound to user, session, action and transaction
 * digest, with the methods this user may use (requirement ∩ enrolled). The challenge routes and
 * methods follow in the challenge issue; they read this record.
 */
export async function createChallenge(
  ctx: ServiceContext,
  params: {
    request: DecisionRequest;
    requirement: Requirement;
    methods: Method[];
    digest: string;
    decisionId: string;
    caller: Caller;
    now: number;
  },
): Promise<ChallengeRef> {
  const { request, now } = params;
  const id = newChallengeId();
  const expiresAt = now + ctx.config.challenges.lifetime * 1000;
  const record: Parameters<ServiceContext['store']['insertChallenge']>[0] = {
    id,
    userId: request.subject.id,
    action: request.action.name,
    digest: params.digest,
    requirement: JSON.stringify(params.requirement),
    methods: params.methods,
    decisionId: params.decisionId,
    audience: params.caller.audience,
    createdAt: now,
    expiresAt,
    status: 'pending',
    attempts: 0,
  };
  if (request.subject.sessionId !== undefined) record.sessionId = request.subject.sessionId;
  if (request.transaction !== undefined) record.transaction = JSON.stringify(request.transaction);
  await ctx.store.insertChallenge(record);
  return { id, expiresAt: new Date(expiresAt).toISOString(), methods: params.methods };
}
