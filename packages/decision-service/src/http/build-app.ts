import { createServer } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { registerConsoleRoutes } from '../console/console-routes.js';
import { registerOverviewRoute } from '../console/overview.js';
import type { ServiceContext } from '../service-context.js';
import { registerTuningRoutes } from '../tuning/tuning-routes.js';
import { registerAuditRoutes } from './audit-routes.js';
import { ApiKeyCache } from './auth.js';
import { registerAuthzenEvaluationsRoutes } from './authzen-evaluations-routes.js';
import { registerAuthzenRoutes } from './authzen-routes.js';
import { registerChallengeFeatures } from './challenge-features.js';
import { parseTrustedClients } from './client-ip.js';
import { installErrorHandlers } from './error-handler.js';
import { fastDecisionRoute } from './fast-decisions.js';
import { registerMetricsRoutes } from './metrics-routes.js';
import { RouteTable } from './route-table.js';
import { registerDecisionRoutes } from './routes/decisions.js';
import { registerOpsRoutes } from './routes/ops.js';
import { registerPolicyRoutes } from './routes/policies.js';
import { registerUserRoutes } from './routes/users.js';

/**
 * Builds the Fastify app of the service: strict JSON bodies (no coercion, no silently removed
 * properties), the protocol's error shape everywhere, and the v1 routes.
 */
export async function buildApp(ctx: ServiceContext): Promise<{ app: FastifyInstance; routes: RouteTable }> {
  // POST /v1/decisions is answered straight from node:http when it can be (fast-decisions.ts).
  let fast: ReturnType<typeof fastDecisionRoute> | undefined;
  const app = Fastify({
    serverFactory: (handler) => {
      const server = createServer((req, res) => {
        if (!fast?.handle(req, res)) handler(req, res);
      });
      server.keepAliveTimeout = 72_000; // Fastify's default, which its own server factory would set
      return server;
    },
    loggerInstance: ctx.log as FastifyBaseLogger,
    // One log line per decision is written by the service itself; Fastify's per-request lines are off.
    logController: new LogController({ disableRequestLogging: true }),
    // Fastify passes `{}` as child options, which sends pino down its slow path (formatters and
    // redaction rebuilt for every request); without options a child is a cheap prototype copy.
    childLoggerFactory: (logger, bindings, options) =>
      Object.keys(options).length === 0 ? logger.child(bindings) : logger.child(bindings, options),
    bodyLimit: ctx.config.server.bodyLimit,
    // Long ids and paths are the caller's error, answered 404, not a crash.
    routerOptions: { maxParamLength: 300 },
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false },
    },
  });
  // Only JSON bodies: anything else answers 415 unsupported_media_type.
  app.removeContentTypeParser(['text/plain']);
  const apiKeys = new ApiKeyCache(ctx);
  app.decorate('stepgate', { ctx, apiKeys });
  const routes = new RouteTable();
  installErrorHandlers(app, routes);
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('cache-control', reply.getHeader('cache-control') ?? 'no-store');
    reply.header('x-content-type-options', 'nosniff');
    return payload;
  });
  const trusted = parseTrustedClients(ctx.config.trustedClients);
  registerDecisionRoutes(app, routes, trusted);
  registerUserRoutes(app, routes);
  registerPolicyRoutes(app, routes);
  registerOpsRoutes(app, routes);
  registerAuthzenRoutes(app, routes, trusted);
  registerAuthzenEvaluationsRoutes(app, routes, trusted);
  registerAuditRoutes(app, routes, () => ctx.audit.reader);
  registerTuningRoutes(app, routes);
  registerOverviewRoute(app, routes);
  registerConsoleRoutes(app);
  registerMetricsRoutes(app, routes, ctx.metrics, ctx.config.metrics);
  await registerChallengeFeatures(app, routes, ctx.challengeDeps, { origins: ctx.config.origins, trusted });
  fast = fastDecisionRoute(ctx, apiKeys, trusted);
  app.addHook('preClose', async () => fast?.close());
  await app.ready();
  return { app, routes };
}
