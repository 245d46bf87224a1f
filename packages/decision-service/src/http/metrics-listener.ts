/**
 * `GET /metrics` on a listener of its own (`metrics.listener`), so that the API port can be
 * reachable by app servers while only Prometheus reaches this one. Plain node:http: it serves one
 * path and needs none of the API's machinery.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ErrorBody, type ErrorCode, StepgateError, statusForErrorCode } from '@stepgate/protocol';
import type { Logger } from 'pino';
import type { ServiceConfig } from '../config/service-config.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import { type ApiKeyCache, authorize } from './auth.js';

/** Options of {@link startMetricsListener}. */
export interface MetricsListenerOptions {
  metrics: ServiceMetrics;
  host: string;
  /** `0` picks a free port. */
  port: number;
  /** When set, every scrape needs `Authorization: Bearer <API key>` (any valid key). */
  apiKeys?: ApiKeyCache;
}

/** A running metrics listener. */
export interface MetricsListener {
  /** e.g. `http://127.0.0.1:9464` (append `/metrics`). */
  url: string;
  port: number;
  close(): Promise<void>;
}

function sendError(
  res: ServerResponse,
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
) {
  const body: ErrorBody = { error: { code, message } };
  const text = JSON.stringify(body);
  res.writeHead(statusForErrorCode(code), {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

async function handle(options: MetricsListenerOptions, req: IncomingMessage, res: ServerResponse) {
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/metrics') return sendError(res, 'not_found', 'no such route');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return sendError(res, 'method_not_allowed', `${req.method} is not allowed here`, { allow: 'GET, HEAD' });
  }
  if (options.apiKeys) {
    try {
      await authorize(options.apiKeys, req.headers.authorization, 'api');
    } catch (error) {
      if (!(error instanceof StepgateError)) throw error;
      return sendError(
        res,
        error.code,
        error.message,
        error.code === 'unauthorized' ? { 'www-authenticate': 'Bearer realm="stepgate"' } : {},
      );
    }
  }
  const text = await options.metrics.registry.metrics();
  res.writeHead(200, {
    'content-type': options.metrics.registry.contentType,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}

/**
 * Starts the metrics listener.
 *
 * @throws the listen error (port taken, address not available).
 * @example
 * const listener = await startMetricsListener({ metrics, host: '127.0.0.1', port: 9464 });
 * // curl http://127.0.0.1:9464/metrics
 * await listener.close();
 */
export async function startMetricsListener(options: MetricsListenerOptions): Promise<MetricsListener> {
  const server = createServer((req, res) => {
    handle(options, req, res).catch(() => {
      if (!res.headersSent) sendError(res, 'internal_error', 'internal error');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/**
 * What `startDecisionService` does about `metrics`: the listener when `metrics.listener` is set;
 * otherwise `/metrics` stays on the API listener, which is worth a warning when that listener
 * is not on loopback and the scrape needs no key.
 *
 * @throws the listen error of the metrics listener.
 * @example
 * const listener = await openMetricsListener(config, metrics, app.stepgate.apiKeys, log);
 */
export async function openMetricsListener(
  config: Pick<ServiceConfig, 'metrics' | 'server'>,
  metrics: ServiceMetrics,
  apiKeys: ApiKeyCache,
  log: Logger,
): Promise<MetricsListener | undefined> {
  const { listener, requireKey } = config.metrics;
  if (!listener) {
    if (!requireKey && !LOOPBACK.test(config.server.host)) {
      log.warn(
        { host: config.server.host },
        '/metrics answers without a key on a non-loopback address: set metrics.listener or metrics.requireKey (docs/deployment.md)',
      );
    }
    return undefined;
  }
  return startMetricsListener({
    metrics,
    host: listener.host,
    port: listener.port,
    ...(requireKey ? { apiKeys } : {}),
  });
}
