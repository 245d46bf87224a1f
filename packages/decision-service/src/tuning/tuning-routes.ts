/**
 * `POST /v1/backtests` and `POST /v1/whatif` (admin key): the backtest and the what-if of
 * `stepgate backtest` / `stepgate policy whatif` over HTTP (docs/operators.md).
 */

import { type CompiledPolicy, PolicyError } from '@stepgate/policy-engine';
import { type DecisionRequest, StepgateError } from '@stepgate/protocol';
import type { FastifyInstance } from 'fastify';
import { decisionRequestSchema } from '../http/protocol-schemas.js';
import { errorResponse, type RouteTable } from '../http/route-table.js';
import { loadPolicies } from '../policies/load-policies.js';
import type { ServiceContext } from '../service-context.js';
import { historySnapshot } from '../state/history.js';
import { auditAnalytics } from './audit-analytics.js';
import { parseWhen, runBacktest } from './backtest.js';
import { whatIf, whatIfInput } from './whatif.js';

const policyText = { type: 'string', minLength: 1, maxLength: 262_144 } as const;
const candidateSchema = {
  description: 'The candidate policy document(s), YAML or JSON text, merged in order.',
  anyOf: [policyText, { type: 'array', minItems: 1, maxItems: 20, items: policyText }],
} as const;
const when = { type: 'string', minLength: 2, maxLength: 40 } as const;

/** Body of `POST /v1/backtests`. */
export const backtestRequestSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    policy: {
      ...candidateSchema,
      description: `${candidateSchema.description} Absent: the policies in force (a report of what they do).`,
    },
    since: { ...when, description: 'A duration back from now (`7d`) or an RFC 3339 time. Default `7d`.' },
    until: { ...when, description: 'A duration back from now or an RFC 3339 time. Default: now.' },
  },
} as const;

/** Body of `POST /v1/whatif`. */
export const whatIfRequestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['policy', 'request'],
  properties: {
    policy: candidateSchema,
    request: decisionRequestSchema,
    now: {
      type: 'integer',
      minimum: 0,
      maximum: 253_402_300_799,
      description: 'Unix seconds. Default: now.',
    },
    history: {
      type: 'object',
      description: 'The history snapshot to evaluate with. Default: the stored state of the user.',
    },
  },
} as const;

/** Compiles a candidate like the policies in force (same IP lists, acr values, providers). */
function compileCandidate(ctx: ServiceContext, policy: string | string[]): CompiledPolicy {
  try {
    return loadPolicies({
      files: [],
      inline: Array.isArray(policy) ? policy : [policy],
      ipListFiles: ctx.config.ipLists,
      acrValues: ctx.config.acrValues,
      ...(ctx.idps ? { idps: ctx.idps.reach() } : {}),
    });
  } catch (error) {
    if (error instanceof PolicyError)
      throw new StepgateError('invalid_request', `candidate policy: ${error.message}`, {
        details: { issues: error.issues.map((i) => ({ path: i.path, message: i.message, line: i.line })) },
      });
    throw new StepgateError('invalid_request', `candidate policy: ${(error as Error).message}`);
  }
}

function window(since: string | undefined, until: string | undefined, now: number) {
  const from = parseWhen(since ?? '7d', now);
  if (from === undefined)
    throw new StepgateError('invalid_request', 'since: a duration (7d, 12h) or an RFC 3339 time');
  const to = until === undefined ? now : parseWhen(until, now);
  if (to === undefined)
    throw new StepgateError('invalid_request', 'until: a duration (1d) or an RFC 3339 time');
  if (to <= from) throw new StepgateError('invalid_request', 'until must be after since');
  return { from, to };
}

/**
 * Registers the tuning routes.
 *
 * @example
 * registerTuningRoutes(app, routes);
 */
export function registerTuningRoutes(app: FastifyInstance, routes: RouteTable): void {
  const { ctx } = app.stepgate;
  let running = false;
  routes.add(app, {
    method: 'POST',
    url: '/v1/backtests',
    auth: 'admin',
    summary: 'Replay the replayable decisions of a window through candidate policies (a backtest).',
    tags: ['tuning'],
    schemas: {
      body: backtestRequestSchema,
      responses: {
        200: {
          description:
            'The report: `{ window, decisions, replayable, notReplayable, now, candidate, transitions, policies, labels, friction }`.',
        },
        400: errorResponse('Malformed body or a candidate that does not compile (`invalid_request`).'),
        401: errorResponse('Missing or wrong API key (`unauthorized`).'),
        403: errorResponse('Not an admin key (`forbidden`).'),
        429: errorResponse('A backtest is already running (`rate_limited`).'),
      },
    },
    handler: async (request) => {
      const body = request.body as { policy?: string | string[]; since?: string; until?: string };
      const { from, to } = window(body.since, body.until, ctx.now());
      const candidate = body.policy === undefined ? ctx.policies.current : compileCandidate(ctx, body.policy);
      const analytics = auditAnalytics(ctx.audit);
      if (running) throw new StepgateError('rate_limited', 'a backtest is already running; retry later');
      running = true;
      // Its own read connection on SQLite: the stream must not hold the one `GET /v1/audit` uses.
      let reader: ReturnType<typeof analytics.openBacktestSource> | undefined;
      try {
        reader = analytics.openBacktestSource();
        return await runBacktest({
          reader,
          current: ctx.policies.current,
          candidate,
          since: from,
          until: to,
          yieldEvery: 2000,
        });
      } finally {
        await reader?.close();
        running = false;
      }
    },
  });

  routes.add(app, {
    method: 'POST',
    url: '/v1/whatif',
    auth: 'admin',
    summary: 'One request through candidate policies, with why each other policy did not match.',
    tags: ['tuning'],
    schemas: {
      body: whatIfRequestSchema,
      responses: {
        200: { description: 'The verdict with `matched` and `notMatched` (first failing condition).' },
        400: errorResponse('Malformed body or a candidate that does not compile (`invalid_request`).'),
        401: errorResponse('Missing or wrong API key (`unauthorized`).'),
        403: errorResponse('Not an admin key (`forbidden`).'),
      },
    },
    handler: async (request) => {
      const body = request.body as {
        policy: string | string[];
        request: DecisionRequest;
        now?: number;
        history?: object;
      };
      const candidate = compileCandidate(ctx, body.policy);
      const now = ctx.now();
      let history = body.history as Parameters<typeof whatIfInput>[2];
      if (history === undefined) {
        // The user's stored state, read only: nothing is written and no challenge is created.
        const state = await ctx.store.loadUserState({
          userId: body.request.subject.id,
          windowStart: now - ctx.config.history.window * 1000,
          ...(body.request.context?.device?.deviceId
            ? { deviceId: body.request.context.device.deviceId }
            : {}),
        });
        history = historySnapshot(state, candidate, false);
      }
      const input = whatIfInput(
        { request: body.request, ...(body.now === undefined ? {} : { now: body.now }), history },
        Math.floor(now / 1000),
      );
      if (!input) throw new StepgateError('invalid_request', 'request: a decision request');
      return whatIf(candidate, input);
    },
  });
}
