/**
 * A demo-like app for the framework samples' tests: a plain node:http server on `localhost`
 * (WebAuthn and secure-context APIs need that name) that serves a built page and guards
 * `POST /api/transfers` with @stepgate/node-client's fetch guard — the same path, action and
 * body as docs/backend.md's samples — and mounts the challenge proxy under `/stepgate`.
 * The signed-in user comes from a `sample-user` cookie that the test sets (an app's own session).
 */
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { createStepgate } from '@stepgate/node-client';
import { stepgateFetch } from '@stepgate/node-client/fetch';
import type { SampleService } from './sample-service.js';

/** A file the app serves: its body and content type. */
export interface StaticFile {
  body: string | Uint8Array;
  type: string;
}

/** Options of {@link startSampleApp}. */
export interface SampleAppOptions {
  sample: SampleService;
  /** A directory served at `/` (index.html for directories), or a map of path → file. */
  files: string | ReadonlyMap<string, StaticFile>;
}

/** A transfer the guarded route executed. */
export interface Transfer {
  amount: number;
  payee: string;
  /** Whether the request carried a Step-Up-Token (it was retried after a step-up). */
  steppedUp: boolean;
}

/** A running sample app. */
export interface SampleApp {
  /** `http://localhost:PORT`. */
  url: string;
  /** Transfers the guarded route ran, in order. */
  transfers: Transfer[];
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/** The cookie that stands in for the app's session. */
export const SESSION_COOKIE = 'sample-user';

function cookie(header: string | null, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === name && v) return decodeURIComponent(v);
  }
  return undefined;
}

async function toRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (typeof v === 'string') headers.set(k, v);
    else if (Array.isArray(v)) for (const x of v) headers.append(k, x);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && chunks.length > 0;
  return new Request(new URL(req.url ?? '/', origin), {
    method: req.method ?? 'GET',
    headers,
    ...(hasBody ? { body: Buffer.concat(chunks) } : {}),
  });
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}

async function staticFile(files: SampleAppOptions['files'], path: string): Promise<StaticFile | undefined> {
  if (typeof files !== 'string')
    return files.get(path) ?? (path === '/' ? files.get('/index.html') : undefined);
  const file = normalize(join(files, decodeURIComponent(path)));
  if (!file.startsWith(normalize(files))) return undefined;
  try {
    const target = (await stat(file)).isDirectory() ? join(file, 'index.html') : file;
    return { body: await readFile(target), type: TYPES[extname(target)] ?? 'application/octet-stream' };
  } catch {
    return undefined;
  }
}

/**
 * Starts the sample app on a free port of 127.0.0.1, reached as `http://localhost:PORT`.
 * @example
 * const app = await startSampleApp({ sample, files: distDir });
 * await page.goto(app.url);
 */
export async function startSampleApp(options: SampleAppOptions): Promise<SampleApp> {
  const { service } = options.sample;
  const stepgate = createStepgate({ serviceUrl: service.url, apiKey: service.apiKey, timeoutMs: 5000 });
  const sg = stepgateFetch(stepgate, {
    getSubject: (request) => {
      const id = cookie(request.headers.get('cookie'), SESSION_COOKIE);
      return id ? { id, sessionId: `sess-${id}`, acr: 'aal1' } : null;
    },
  });
  const transfers: Transfer[] = [];
  const transfer = sg.requireStepUp(
    {
      action: 'payments.transfer',
      transaction: async (request) => {
        const body = (await request.clone().json()) as { amount: number; payee: string };
        return { amount: body.amount, currency: 'EUR', payee: body.payee };
      },
    },
    async (request, { stepUp }) => {
      const body = (await request.json()) as { amount: number; payee: string };
      transfers.push({
        amount: body.amount,
        payee: body.payee,
        steppedUp: request.headers.has('step-up-token'),
      });
      return Response.json({
        ok: true,
        decisionId: stepUp.decisionId,
        amount: body.amount,
        payee: body.payee,
      });
    },
  );
  let origin = 'http://localhost';
  const server = createServer((req, res) => {
    void (async () => {
      const request = await toRequest(req, origin);
      const info = { remoteAddress: req.socket.remoteAddress };
      const path = new URL(request.url).pathname;
      const proxied = await sg.proxy(request, info);
      if (proxied) return send(res, proxied);
      if (path === '/api/transfers' && request.method === 'POST')
        return send(res, await transfer(request, info));
      if (path === '/favicon.ico') return send(res, new Response(null, { status: 204 }));
      const file = request.method === 'GET' ? await staticFile(options.files, path) : undefined;
      if (!file) return send(res, new Response('Not found', { status: 404 }));
      res.writeHead(200, { 'content-type': file.type });
      res.end(file.body);
    })().catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    transfers,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
