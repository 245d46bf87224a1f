import type { DecisionResponse } from '@stepgate/protocol';
import type { Request as ExpressRequest, RequestHandler } from 'express';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { describe, expectTypeOf, it } from 'vitest';
import type { StepgateExpress } from '../src/express/index.js';
import type { GuardResult, StepgateFetch } from '../src/fetch/index.js';
import '../src/fastify/index.js';

// Checked by `tsc -b tsconfig.test.json`: the adapters' public types, as an app sees them.
describe('adapter types', () => {
  it('Express: req.stepUp and middleware types', () => {
    expectTypeOf<ExpressRequest['stepUp']>().toEqualTypeOf<DecisionResponse | undefined>();
    expectTypeOf<ReturnType<StepgateExpress['requireStepUp']>>().toEqualTypeOf<RequestHandler>();
  });

  it('Fastify: the requireStepUp decoration and request.stepUp', () => {
    expectTypeOf<FastifyRequest['stepUp']>().toEqualTypeOf<DecisionResponse | null>();
    expectTypeOf<ReturnType<FastifyInstance['requireStepUp']>>().toEqualTypeOf<preHandlerAsyncHookHandler>();
  });

  it('fetch: a guard resolves to a verdict or a Response', () => {
    expectTypeOf<Awaited<ReturnType<ReturnType<StepgateFetch['guard']>>>>().toEqualTypeOf<GuardResult>();
    expectTypeOf<Extract<GuardResult, { ok: false }>['response']>().toEqualTypeOf<Response>();
  });
});
