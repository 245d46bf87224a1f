import { createHash } from 'node:crypto';
import { canonicalJson, type DecisionRequest, StepgateError } from '@stepgate/protocol';
import type { FastifyInstance } from 'fastify';
import { decide } from '../../decisions/decide.js';
import type { Caller } from '../../service-context.js';
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
        400: errorResponse('Malformed body or header (`invalid_request`).'),
        401: errorResponse('Missing or wrong API key (`unauthorized`).'),
        409: errorResponse('`Idempotency-Key` reused with another body, or still in progress (`conflict`).'),
      },
    },
    handler: async (request, reply, caller) => {
      const body = request.body as DecisionRequest;
      const forwardedIp = forwardedClientIp(request, trusted);
      const options = forwardedIp === undefined ? { caller: caller! } : { caller: caller!, forwardedIp };
      const key = request.headers['idempotency-key'];
      if (typeof key !== 'string') return decide(ctx, body, options);
      return idempotent(caller!, key, canonicalJson({ body, forwardedIp: forwardedIp ?? null }), async () => {
        const answer = await decide(ctx, body, options);
        return { status: 200, body: answer };
      }).then(({ status, body: answer, replayed }) => {
        if (replayed) reply.header('idempotent-replayed', 'true');
        return reply.status(status).send(answer);
      });
    },
  });

  async function idempotent(
    caller: Caller,
    key: string,
    requestText: string,
    run: () => Promise<{ status: number; body: unknown }>,
  ): Promise<{ status: number; body: unknown; replayed: boolean }> {
    const hash = createHash('sha256').update(requestText).digest('base64url');
    const now = ctx.now();
    const claim = await ctx.store.claimIdempotency(
      caller.apiKeyId,
      key,
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
      return { status: claim.status, body: JSON.parse(claim.response), replayed: true };
    }
    try {
      const result = await run();
      await ctx.store.completeIdempotency(caller.apiKeyId, key, result.status, JSON.stringify(result.body));
      return { ...result, replayed: false };
    } catch (error) {
      await ctx.store.releaseIdempotency(caller.apiKeyId, key);
      throw error;
    }
  }
}
