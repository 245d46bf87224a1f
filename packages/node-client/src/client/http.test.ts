import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { allowAnswer } from '../../test/support/fixtures.js';
import { createStepgate } from './create-stepgate.js';
import {
  createNodeHttpSend,
  fetchSend,
  MAX_RESPONSE_BYTES,
  NetworkError,
  type Send,
  TimeoutError,
} from './http.js';

// A real loopback server: these tests are about the HTTP layer itself, so nothing is intercepted.
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/hang') return;
    if (req.url === '/slow-body') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"a":');
      return;
    }
    if (req.url === '/redirect') return res.writeHead(302, { location: 'http://example.invalid/' }).end();
    if (req.url === '/empty') return res.writeHead(204).end();
    if (req.url === '/huge') return res.end(Buffer.alloc(MAX_RESPONSE_BYTES + 1));
    if (req.url === '/v1/decisions') {
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify(allowAnswer()));
    }
    res.writeHead(201, [
      ['content-type', 'application/json'],
      ['x-many', 'a'],
      ['x-many', 'b'],
    ]);
    res.end(
      JSON.stringify({
        method: req.method,
        auth: req.headers.authorization,
        length: req.headers['content-length'],
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
afterEach(() => vi.unstubAllGlobals());
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

const stacks: Array<[string, () => Send]> = [
  ['node:http (default)', createNodeHttpSend],
  ['the fetch option', () => fetchSend(fetch)],
];

describe.each(stacks)('send over %s', (_name, make) => {
  const send = make();
  const req = (path: string, extra: { method?: string; body?: string; timeoutMs?: number } = {}) =>
    send({
      method: extra.method ?? 'GET',
      url: `${base}${path}`,
      headers: { authorization: 'Bearer k' },
      ...(extra.body === undefined ? {} : { body: extra.body }),
      timeoutMs: extra.timeoutMs ?? 5_000,
    });

  it('sends method, headers and body (with its length) and returns status, headers and body', async () => {
    const answer = await req('/x', { method: 'POST', body: '{"a":"é"}' });
    expect(answer.status).toBe(201);
    expect(answer.header('x-many')).toBe('a, b');
    expect(answer.header('absent')).toBeUndefined();
    expect(JSON.parse(answer.body.toString())).toEqual({
      method: 'POST',
      auth: 'Bearer k',
      length: '10',
      body: '{"a":"é"}',
    });
  });

  it('never follows a redirect, and answers 204 with an empty body', async () => {
    expect((await req('/redirect')).status).toBe(302);
    expect((await req('/empty')).body.byteLength).toBe(0);
  });

  it('rejects with TimeoutError when no answer, or no whole body, arrives in time', async () => {
    expect(await req('/hang', { timeoutMs: 50 }).catch((e: unknown) => e)).toBeInstanceOf(TimeoutError);
    expect(await req('/slow-body', { timeoutMs: 50 }).catch((e: unknown) => e)).toBeInstanceOf(TimeoutError);
  });

  it('rejects a refused connection and an oversized answer with NetworkError', async () => {
    const refused = await send({
      method: 'GET',
      url: 'http://127.0.0.1:1/',
      headers: {},
      timeoutMs: 5_000,
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NetworkError);
    expect(await req('/huge').catch((e: unknown) => e)).toBeInstanceOf(NetworkError);
  });
});

describe('the decision path (issue 18)', () => {
  it('builds no fetch-shaped objects: decide() works with Request, Response and Headers gone', async () => {
    const stepgate = createStepgate({ serviceUrl: base, apiKey: 'sk_test_0123456789', timeoutMs: 5_000 });
    const gone = () => {
      throw new Error('a fetch-shaped object was built on the decision path');
    };
    vi.stubGlobal('Request', gone);
    vi.stubGlobal('Response', gone);
    vi.stubGlobal('Headers', gone);
    vi.stubGlobal('fetch', gone);
    const verdict = await stepgate.decide({ subject: { id: 'u' }, action: { name: 'a.b' } });
    expect(verdict.decision).toBe('allow');
  });
});
