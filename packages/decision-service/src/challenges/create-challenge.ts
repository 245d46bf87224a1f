import type { ChallengeRef, DecisionRequest, Method, Requirement } from '@stepgate/protocol';
import type { Caller, ServiceContext } from '../service-context.js';
import { openChallengeUnawaited } from './open-challenge.js';

export { newChallengeId } from './open-challenge.js';

/**
 * Creates the challenge of a `step_up` verdict, bound to user, session, action and transaction
 * digest, with the methods this user may use (requirement ∩ enrolled), and records what it may
 * use (`openChallenge`: the factors and contact points it was created with, S24). `audited`
 * resolves once `challenge.created` is kept: the caller awaits it before handing the challenge out.
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
): Promise<{ ref: ChallengeRef; audited: Promise<void> }> {
  const { request } = params;
  const deviceId = request.context?.device?.deviceId;
  const ip = request.context?.ip;
  return openChallengeUnawaited(ctx.challengeDeps, {
    subject: request.subject,
    action: request.action.name,
    digest: params.digest,
    requirement: params.requirement,
    methods: params.methods,
    decisionId: params.decisionId,
    audience: params.caller.audience,
    now: params.now,
    ...(request.transaction === undefined ? {} : { transaction: request.transaction }),
    ...(deviceId === undefined ? {} : { deviceId }),
    ...(ip === undefined ? {} : { ip }),
  });
}
