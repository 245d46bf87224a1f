import { createHash } from 'node:crypto';
import { canonicalJson, type DecisionRequest, StepgateError } from '@stepgate/protocol';
import type { FastifyInstance } from 'fastify';
import { type DecideOptions, decide } from '../../decisions/decide.js';
import type { ServiceContext } from '../../service-context.js';
import { forwardedClientIp, type TrustedNetworks } from '../client-ip.js';
import { decisionRequestSchema, decisionResponseSchema } from '../protocol-schemas.js';
import { errorResponse, type RouteTable } from '../route-table.js';
import { decisionHeadersSchema } from '../schemas.js';

/** `POST /v1/decisions`, with `Idempotency-Key` (a retry gets the same answer and consumes nothing twice). */
export function registerDecisionRoutes(
  app: FastifyInstance,
  routes: RouteTable,
  trusted: TrustedNetworks,
): void {
  const { ctx } = app.stepgate;
  routes.add(app, {
    method: 'POST',
    url: '/v1/decisions',
    auth: 'api',
    summary: 'Verdict for one request: allow, step_up (with a challenge) or deny.',
    tags: ['decisions'],
    schemas: {
      body: decisionRequestSchema,
      headers: decisionHeadersSchema,
      responses: {
        200: { description: 'The verdict.', schema: decisionResponseSchema },
        400: errorResponse(
          'Malformed body or header, or a request field of another type than the policies give it (`invalid_request`; `error.details` names the field and the policy).',
        ),
        401: errorResponse('Missing or wrong API key (`unauthorized`).'),
        409: errorResponse('`Idempotency-Key` reused with another body, or still in progress (`conflict`).'),
      },
    },
    handler: async (request, reply, caller) => {
      const forwardedIp = forwardedClientIp(request, trusted);
      const key = request.headers['idempotency-key'];
      const answer = await answerDecision(ctx, request.body as DecisionRequest, {
        caller: caller!,
        ...(forwardedIp === undefined ? {} : { forwardedIp }),
        ...(typeof key === 'string' ? { idempotencyKey: key } : {}),
      });
      if (answer.replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(answer.status).send(answer.body);
    },
  });
}

/** A decision's answer; `replayed` when an `Idempotency-Key` retry got the stored one. */
export interface DecisionAnswer {
  status: number;
  body: unknown;
  /** `body` as JSON, when it was already written (a stored or replayed answer): sent as is. */
  text?: string;
  replayed: boolean;
}

/**
 * Answers one `POST /v1/decisions` (the Fastify route and the node:http fast path share it). With
 * an `Idempotency-Key`, a retry gets the same answer and consumes nothing twice.
 *
 * @throws StepgateError `conflict` for a key reused with another body or still in progress
 */
export async function answerDecision(
  ctx: ServiceContext,
  body: DecisionRequest,
  options: DecideOptions & { idempotencyKey?: string },
): Promise<DecisionAnswer> {
  const { idempotencyKey, ...decideOptions } = options;
  if (idempotencyKey === undefined)
    return { status: 200, body: await decide(ctx, body, decideOptions), replayed: false };
  const { caller, forwardedIp } = decideOptions;
  const requestText = canonicalJson({ body, forwardedIp: forwardedIp ?? null });
  const hash = createHash('sha256').update(requestText).digest('base64url');
  const now = ctx.now();
  const claim = await ctx.store.claimIdempotency(
    caller.apiKeyId,
    idempotencyKey,
    hash,
    now,
    now + ctx.config.idempotency.ttl * 1000,
  );
  if (claim.state !== 'claimed') {
    if (claim.requestHash !== hash) {
      throw new StepgateError('conflict', 'this Idempotency-Key was used with a different request');
    }
    if (claim.state === 'pending')
      throw new StepgateError('conflict', 'a request with this Idempotency-Key is in progress');
    return { status: claim.status, body: JSON.parse(claim.response), text: claim.response, replayed: true };
  }
  try {
    const answer = await decide(ctx, body, decideOptions);
    const text = JSON.stringify(answer);
    await ctx.store.completeIdempotency(caller.apiKeyId, idempotencyKey, 200, text);
    return { status: 200, body: answer, text, replayed: false };
  } catch (error) {
    await ctx.store.releaseIdempotency(caller.apiKeyId, idempotencyKey);
    throw error;
  }
}
