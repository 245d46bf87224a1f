import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { allowAnswer } from '../../test/support/fixtures.js';
import { TEST_TLS } from '../../test/support/tls.js';
import { createStepgate } from './create-stepgate.js';
import {
  createUndiciSend,
  fetchSend,
  MAX_RESPONSE_BYTES,
  NetworkError,
  type Send,
  TimeoutError,
} from './http.js';

/** Sockets of requests to /hang and /slow-body, to see that a timeout closes them. */
const stalled: Socket[] = [];

// A real loopback server: these tests are about the HTTP layer itself, so nothing is intercepted.
const handle = (req: IncomingMessage, res: ServerResponse) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/hang') return void stalled.push(req.socket);
    if (req.url === '/slow-body') {
      stalled.push(req.socket);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"a":');
      return;
    }
    if (req.url === '/reset') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"a":', () => req.socket.destroy());
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
        tls: 'encrypted' in req.socket,
      }),
    );
  });
};
const server = createServer(handle);
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
  ['undici (default)', () => createUndiciSend()],
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
      tls: false,
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

  it('rejects an answer cut off mid-body (connection reset) with NetworkError', async () => {
    expect(await req('/reset').catch((e: unknown) => e)).toBeInstanceOf(NetworkError);
  });
});

describe('the default send (undici)', () => {
  it('aborts the request when its timer fires: the connection closes, before headers and mid-body', async () => {
    const send = createUndiciSend();
    for (const path of ['/hang', '/slow-body']) {
      stalled.length = 0;
      const error = await send({ method: 'GET', url: `${base}${path}`, headers: {}, timeoutMs: 50 }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TimeoutError);
      await vi.waitFor(() => expect(stalled[0]?.destroyed).toBe(true));
    }
  });

  it('answers TimeoutError on time when the connection is not even made (a TLS handshake that stalls)', async () => {
    // A TCP server that accepts and says nothing: the request never starts, the timer still bounds it.
    const sockets: Socket[] = [];
    const silent = createNetServer((socket) => void sockets.push(socket));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const started = performance.now();
      const error = await createUndiciSend()({
        method: 'GET',
        url: `https://127.0.0.1:${(silent.address() as AddressInfo).port}/`,
        headers: {},
        timeoutMs: 100,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(performance.now() - started).toBeLessThan(2_000);
    } finally {
      await new Promise<void>((resolve) => {
        silent.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    }
  });

  it('keeps working on its other connections after one was cut off', async () => {
    const send = createUndiciSend();
    const get = (path: string) =>
      send({ method: 'GET', url: `${base}${path}`, headers: {}, timeoutMs: 5_000 });
    await expect(get('/reset')).rejects.toBeInstanceOf(NetworkError);
    expect((await get('/x')).status).toBe(201);
  });

  describe('https', () => {
    const tls = createTlsServer({ key: TEST_TLS.key, cert: TEST_TLS.cert }, handle);
    let secure = '';
    beforeAll(async () => {
      tls.listen(0, '127.0.0.1');
      await once(tls, 'listening');
      secure = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
    });
    afterAll(() => {
      tls.closeAllConnections();
      return new Promise<void>((resolve) => tls.close(() => resolve()));
    });

    it('sends https URLs over TLS and checks the certificate (RFC 9110 §4.3.4)', async () => {
      const request = { method: 'POST', url: `${secure}/x`, headers: {}, body: '{}', timeoutMs: 5_000 };
      const answer = await createUndiciSend({ ca: TEST_TLS.cert })(request);
      expect(answer.status).toBe(201);
      expect(JSON.parse(answer.body.toString())).toMatchObject({ tls: true, body: '{}' });
      // Without the test CA the self-signed certificate is refused: no answer, a NetworkError.
      expect(await createUndiciSend()(request).catch((e: unknown) => e)).toBeInstanceOf(NetworkError);
    });
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
