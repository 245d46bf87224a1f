import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { openMetricsListener } from '../src/http/metrics-listener.js';
import { loadConfig, ServiceMetrics } from '../src/index.js';
import { start } from './helpers.js';

const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

const scrape = (url: string, key?: string, method = 'GET') =>
  fetch(`${url}/metrics`, { method, headers: key ? { authorization: `Bearer ${key}` } : {} });

describe('S38: /metrics on its own listener or behind a key', () => {
  it('by default it stays on the API listener without a key (compatibility, loopback)', async () => {
    const svc = await start();
    try {
      const res = await scrape(svc.url);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('stepgate_decisions_total');
      expect(svc.metricsUrl).toBeUndefined();
    } finally {
      await svc.close();
    }
  });

  it('metrics.requireKey: a scrape without an API key is 401, with any valid key 200', async () => {
    const svc = await start({ config: { metrics: { requireKey: true } } });
    try {
      const anonymous = await scrape(svc.url);
      expect(anonymous.status).toBe(401);
      expect(await errorCode(anonymous)).toBe('unauthorized');
      expect((await scrape(svc.url, 'sgk_wrong')).status).toBe(401);
      const keyed = await scrape(svc.url, svc.apiKey);
      expect(keyed.status).toBe(200);
      expect(await keyed.text()).toContain('stepgate_decisions_total');
      const doc = (await (await fetch(`${svc.url}/openapi.json`)).json()) as {
        paths: Record<string, { get: { security?: unknown } }>;
      };
      expect(doc.paths['/metrics']!.get.security).toEqual([{ apiKey: [] }]);
    } finally {
      await svc.close();
    }
  });

  it('metrics.listener: /metrics moves to its own port and leaves the API port', async () => {
    const svc = await start({ config: { metrics: { listener: { host: '127.0.0.1', port: 0 } } } });
    try {
      expect(svc.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(svc.metricsUrl).not.toBe(svc.url);
      const api = await scrape(svc.url);
      expect(api.status).toBe(404);
      expect(await errorCode(api)).toBe('not_found');
      const own = await scrape(svc.metricsUrl!);
      expect(own.status).toBe(200);
      expect(own.headers.get('content-type')).toContain('text/plain');
      expect(await own.text()).toContain('stepgate_audit_up');
      // Nothing else answers there.
      const other = await fetch(`${svc.metricsUrl}/v1/decisions`, { method: 'POST', body: '{}' });
      expect(other.status).toBe(404);
      const post = await scrape(svc.metricsUrl!, undefined, 'POST');
      expect(post.status).toBe(405);
      expect(await errorCode(post)).toBe('method_not_allowed');
    } finally {
      await svc.close();
    }
    // Closed with the service.
    await expect(scrape(svc.metricsUrl!)).rejects.toThrow();
  });

  it('metrics.listener with requireKey: its own port needs an API key too', async () => {
    const svc = await start({ config: { metrics: { listener: { port: 0 }, requireKey: true } } });
    try {
      const anonymous = await scrape(svc.metricsUrl!);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="stepgate"');
      expect((await scrape(svc.metricsUrl!, svc.adminKey)).status).toBe(200);
    } finally {
      await svc.close();
    }
  });

  it('warns when the API listener is not on loopback and /metrics needs no key', async () => {
    const warnings: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
    const metrics = new ServiceMetrics({ processMetrics: false });
    const exposed = loadConfig({ env: {}, config: { server: { host: '0.0.0.0' } } });
    expect(await openMetricsListener(exposed, metrics, undefined as never, log)).toBeUndefined();
    expect(warnings.join('')).toContain('metrics.requireKey');
    warnings.length = 0;
    const keyed = loadConfig({
      env: {},
      config: { server: { host: '0.0.0.0' }, metrics: { requireKey: true } },
    });
    await openMetricsListener(keyed, metrics, undefined as never, log);
    const loopback = loadConfig({ env: {} });
    await openMetricsListener(loopback, metrics, undefined as never, log);
    expect(warnings).toEqual([]);
  });

  it('STEPGATE_METRICS_PORT and STEPGATE_METRICS_HOST set the listener; a bad one is located', () => {
    const config = loadConfig({ env: { STEPGATE_METRICS_PORT: '9464', STEPGATE_METRICS_HOST: '10.0.0.5' } });
    expect(config.metrics).toEqual({ listener: { host: '10.0.0.5', port: 9464 }, requireKey: false });
    expect(() => loadConfig({ env: { STEPGATE_METRICS_PORT: 'x' } })).toThrow(
      'env STEPGATE_METRICS_PORT /metrics/listener/port: must be integer',
    );
    expect(() => loadConfig({ env: {}, config: { metrics: { requireKey: 'yes' as never } } })).toThrow(
      '/metrics/requireKey: must be boolean',
    );
  });
});
