import type { FastifyInstance } from 'fastify';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import type { RouteTable } from './route-table.js';

/**
 * `GET /metrics` in the Prometheus text format, and the HTTP latency histogram (by route
 * template, so ids in paths do not explode the label set). Like `/healthz` it needs no key;
 * expose it only where Prometheus scrapes (docs/deployment.md).
 */
export function registerMetricsRoutes(
  app: FastifyInstance,
  routes: RouteTable,
  metrics: ServiceMetrics,
): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpSeconds.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  routes.add(app, {
    method: 'GET',
    url: '/metrics',
    auth: 'none',
    summary: 'Prometheus metrics: decisions, latency, audit log health and batches, policy reloads.',
    tags: ['ops'],
    schemas: { responses: { 200: { description: 'Prometheus text exposition format.' } } },
    handler: async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  });
}
