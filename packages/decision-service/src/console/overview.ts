/**
 * `GET /v1/overview` (admin key): what the console's Overview page draws — decisions per time
 * step by outcome over a window (from the audit log, summed by SQLite or PostgreSQL), step-up and deny rates,
 * report-only policies with what they would have done, the decision latency of this process
 * (from the `/metrics` histogram) and the audit log's health.
 */

import { StepgateError } from '@stepgate/protocol';
import type { FastifyInstance } from 'fastify';
import { errorResponse, type RouteTable } from '../http/route-table.js';
import { auditAnalytics } from '../tuning/audit-analytics.js';
import { parseWhen } from '../tuning/backtest.js';

/** Most points per series: a longer window gets a wider step. */
export const MAX_POINTS = 100_000;
const OUTCOMES = ['allow', 'step_up', 'deny', 'invalid_request'] as const;

/** Query of `GET /v1/overview`. */
export const overviewQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    since: {
      type: 'string',
      minLength: 2,
      maxLength: 40,
      description: 'A duration back from now (`1d`) or an RFC 3339 time. Default `1d`.',
    },
    until: { type: 'string', minLength: 2, maxLength: 40 },
    step: { type: 'string', pattern: '^[1-9]\\d{0,6}$', description: 'Seconds per point. Default 60.' },
  },
} as const;

/** The quantile of a cumulative prom-client histogram, interpolated inside its bucket. */
function quantile(buckets: Array<{ le: number; count: number }>, q: number): number | null {
  const total = buckets.at(-1)?.count ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (!Number.isFinite(b.le)) return prevLe;
      const inBucket = b.count - prevCount;
      return inBucket === 0 ? b.le : prevLe + ((rank - prevCount) / inBucket) * (b.le - prevLe);
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}

/**
 * Registers `GET /v1/overview`.
 *
 * @example
 * registerOverviewRoute(app, routes);
 */
export function registerOverviewRoute(app: FastifyInstance, routes: RouteTable): void {
  const { ctx } = app.stepgate;
  routes.add(app, {
    method: 'GET',
    url: '/v1/overview',
    auth: 'admin',
    summary: 'Decisions per time step by outcome, rates, report-only outcomes, latency and audit health.',
    tags: ['tuning'],
    schemas: {
      querystring: overviewQuerySchema,
      responses: {
        200: {
          description:
            '`{ window, stepSeconds, series, totals, stepUpRate, denyRate, reportOnly, latency, audit }`.',
        },
        400: errorResponse('Malformed window (`invalid_request`).'),
        401: errorResponse('Missing or wrong API key (`unauthorized`).'),
        403: errorResponse('Not an admin key (`forbidden`).'),
      },
    },
    handler: async (request) => {
      const q = request.query as { since?: string; until?: string; step?: string };
      const now = ctx.now();
      const from = parseWhen(q.since ?? '1d', now);
      const to = q.until === undefined ? now : parseWhen(q.until, now);
      if (from === undefined || to === undefined || to <= from)
        throw new StepgateError(
          'invalid_request',
          'since/until: a duration (1d) or an RFC 3339 time, until after since',
        );
      const stepMs = Math.max(Number(q.step ?? 60) * 1000, Math.ceil((to - from) / MAX_POINTS / 1000) * 1000);
      const points = Math.ceil((to - from) / stepMs);
      const {
        buckets: rows,
        reportOnly,
        head,
      } = await auditAnalytics(ctx.audit).overviewCounts(from, to, stepMs);
      const series: Record<string, number[]> = { time: [] };
      for (const o of OUTCOMES) series[o] = new Array<number>(points).fill(0);
      for (let i = 0; i < points; i++) series.time!.push(Math.floor((from + i * stepMs) / 1000));
      const totals: Record<string, number> = { allow: 0, step_up: 0, deny: 0, invalid_request: 0 };
      for (const r of rows) {
        const s = series[r.d];
        if (!s || r.b >= points) continue;
        s[r.b] = r.n;
        totals[r.d] = (totals[r.d] ?? 0) + r.n;
      }
      const histogram = await ctx.metrics.decisionSeconds.get();
      const cumulative = new Map<number, number>();
      for (const v of histogram.values) {
        if (v.metricName !== 'stepgate_decision_duration_seconds_bucket') continue;
        const raw = (v.labels as Record<string, string | number | undefined>).le;
        const le = raw === '+Inf' ? Number.POSITIVE_INFINITY : Number(raw);
        cumulative.set(le, (cumulative.get(le) ?? 0) + v.value);
      }
      const buckets = [...cumulative].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
      const all = OUTCOMES.reduce((s, o) => s + (totals[o] ?? 0), 0);
      return {
        window: { since: new Date(from).toISOString(), until: new Date(to).toISOString() },
        stepSeconds: stepMs / 1000,
        series,
        totals,
        stepUpRate: all === 0 ? 0 : (totals.step_up ?? 0) / all,
        denyRate: all === 0 ? 0 : (totals.deny ?? 0) / all,
        reportOnly,
        latency: {
          scope: 'this process since it started',
          count: buckets.at(-1)?.count ?? 0,
          p50: quantile(buckets, 0.5),
          p99: quantile(buckets, 0.99),
        },
        audit: { healthy: ctx.audit.healthy, records: head.count, headSeq: head.seq },
      };
    },
  });
}
