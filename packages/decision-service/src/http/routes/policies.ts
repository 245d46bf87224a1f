import type { CompiledPolicy } from '@stepgate/policy-engine';
import type { PolicyFieldInfo, PolicyFieldsAnswer } from '@stepgate/protocol';
import type { FastifyInstance } from 'fastify';
import { policyFieldsSchema } from '../protocol-schemas.js';
import { errorResponse, type RouteTable } from '../route-table.js';

/** The published field types of a compiled policy set (built once per version). */
export function policyFieldsAnswer(policy: CompiledPolicy): PolicyFieldsAnswer {
  const fields: Record<string, PolicyFieldInfo> = {};
  for (const [path, info] of Object.entries(policy.fields)) {
    fields[path] = {
      type: info.type,
      policies: [...info.policies],
      ...(info.reportOnly ? { reportOnly: true } : {}),
    };
  }
  return { policyVersion: policy.version, fields };
}

/**
 * `GET /v1/policies/fields`: the type of every request field the policies in force compare or
 * declare (docs/policies.md "Typed fields"), so a backend can check what it sends before it asks
 * (node-client's guards cache it by `policyVersion`). Any API key may read it: it is what the
 * service would refuse anyway.
 */
export function registerPolicyRoutes(app: FastifyInstance, routes: RouteTable): void {
  const { ctx } = app.stepgate;
  let cached: { policy: CompiledPolicy; answer: PolicyFieldsAnswer } | undefined;
  routes.add(app, {
    method: 'GET',
    url: '/v1/policies/fields',
    auth: 'api',
    summary: 'Types of the request fields the policies in force compare, with the policy version.',
    tags: ['policies'],
    schemas: {
      responses: {
        200: { description: 'The field types by path.', schema: policyFieldsSchema },
        401: errorResponse('Missing or wrong API key (`unauthorized`).'),
      },
    },
    handler: async () => {
      const policy = ctx.policies.current;
      if (cached?.policy !== policy) cached = { policy, answer: policyFieldsAnswer(policy) };
      return cached.answer;
    },
  });
}
