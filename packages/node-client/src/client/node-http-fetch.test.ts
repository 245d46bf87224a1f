import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeHttpFetch } from './node-http-fetch.js';

describe('node:http fetch', () => {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/hang') return;
      if (req.url === '/redirect') return res.writeHead(302, { location: 'http://example.invalid/' }).end();
      if (req.url === '/empty') return res.writeHead(204).end();
      if (req.url === '/huge') return res.end(Buffer.alloc(5 * 1024 * 1024));
      res.writeHead(201, [
        ['content-type', 'application/json'],
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
      ]);
      res.end(
        JSON.stringify({
          method: req.method,
          auth: req.headers.authorization,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
  });
  let base = '';
  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const f = createNodeHttpFetch();

  it('sends method, headers and body and returns status, headers and body', async () => {
    const res = await f(`${base}/x`, {
      method: 'POST',
      headers: { authorization: 'Bearer k' },
      body: '{"a":1}',
    });
    expect(res.status).toBe(201);
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await res.json()).toEqual({ method: 'POST', auth: 'Bearer k', body: '{"a":1}' });
  });

  it('never follows a redirect, and answers 204 without a body', async () => {
    expect((await f(`${base}/redirect`)).status).toBe(302);
    expect((await f(`${base}/empty`)).body).toBeNull();
  });

  it('rejects with the abort reason when the signal fires', async () => {
    const error = await f(`${base}/hang`, { signal: AbortSignal.timeout(50) }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('TimeoutError');
  });

  it('rejects a connection failure as TypeError("fetch failed"), like undici, and an oversized answer', async () => {
    const refused = await f('http://127.0.0.1:1/').catch((e: unknown) => e);
    expect([(refused as Error).name, (refused as Error).message]).toEqual(['TypeError', 'fetch failed']);
    expect(await f(`${base}/huge`).catch((e: unknown) => (e as Error).message)).toBe('fetch failed');
  });
});
