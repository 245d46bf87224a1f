import type { FastifyInstance } from 'fastify';
import type { MetricsSettings } from '../config/metrics-config.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import type { RouteTable } from './route-table.js';

/** What `/metrics` says about itself, on the API listener and on its own. */
export const METRICS_SUMMARY =
  'Prometheus metrics: decisions, latency, audit log health and batches, policy reloads.';

/**
 * The HTTP latency histogram (by route template, so ids in paths do not explode the label set),
 * and `GET /metrics` in the Prometheus text format on the API listener — unless
 * `metrics.listener` gives it a listener of its own (metrics-listener.ts). With
 * `metrics.requireKey` it needs an API key; without, expose the port only where Prometheus
 * scrapes (docs/deployment.md "Metrics").
 */
export function registerMetricsRoutes(
  app: FastifyInstance,
  routes: RouteTable,
  metrics: ServiceMetrics,
  settings: MetricsSettings,
): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpSeconds.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  if (settings.listener) return;
  routes.add(app, {
    method: 'GET',
    url: '/metrics',
    auth: settings.requireKey ? 'api' : 'none',
    summary: METRICS_SUMMARY,
    tags: ['ops'],
    schemas: { responses: { 200: { description: 'Prometheus text exposition format.' } } },
    handler: async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  });
}
