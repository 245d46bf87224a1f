/**
 * The operator console at `/console` (issue 17 §3, docs/operators.md): a page and its script, a
 * sign-in that exchanges the admin key for a session cookie (HttpOnly, SameSite=Strict, path
 * `/console`), and `/console/api/*`, which relays a short list of admin routes with the session's
 * key. Off unless `console.enabled` (on with `--dev` and in the demo).
 *
 * Sessions live in the store (the HMAC of the cookie, the key sealed under the master key), so every
 * process or replica sharing it honours a sign-in, and a sign-out ends the session everywhere.
 *
 * CSRF: the cookie is SameSite=Strict, every state-changing call needs the custom header
 * `Stepgate-Console: 1` (a cross-site page cannot send it without a CORS preflight, which the
 * console never grants) and a JSON body, and an `Origin` other than the service's own is refused.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { StepgateError } from '@stepgate/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authorize } from '../http/auth.js';
import { sendError } from '../http/error-handler.js';

const COOKIE = 'stepgate_console';
const SESSION_MS = 8 * 3600_000;
/** A cookie value as the service issues it: 32 random bytes, base64url. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/** Admin routes the console may call, relayed as `/console/api/<path>` → `/v1/<path>`. */
const RELAYED: Array<{ method: 'GET' | 'POST'; pattern: RegExp }> = [
  { method: 'GET', pattern: /^audit(\?.*)?$/ },
  { method: 'GET', pattern: /^policies\/fields$/ },
  { method: 'GET', pattern: /^overview(\?.*)?$/ },
  { method: 'POST', pattern: /^backtests$/ },
  { method: 'POST', pattern: /^whatif$/ },
  { method: 'POST', pattern: /^decisions\/dec_[A-Za-z0-9_-]{1,100}\/feedback$/ },
];

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Stepgate console</title>
<style>body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f6f7f9;color:#1b1f24}</style>
<script type="module" src="/console/app.js"></script>
</head>
<body><stepgate-console></stepgate-console></body>
</html>`;

/** The console's script: the built bundle, or (running from the TypeScript sources) built now with esbuild. */
function bundleLoader(): () => Promise<string> {
  let cached: Promise<string> | undefined;
  return () => {
    cached ??= (async () => {
      const built = fileURLToPath(new URL('../standalone/console.min.js', import.meta.url));
      if (existsSync(built)) return readFileSync(built, 'utf8');
      const source = fileURLToPath(new URL('./app/console-app.js', import.meta.url));
      // Sources only (tests, `pnpm demo`): esbuild is a workspace dev dependency, imported by a
      // computed name so the package build does not try to resolve it.
      const name = 'esbuild';
      const esbuild = (await import(name)) as typeof import('esbuild');
      const out = await esbuild.build({
        entryPoints: [source],
        bundle: true,
        format: 'esm',
        minify: true,
        write: false,
        target: 'es2022',
        legalComments: 'none',
      });
      return out.outputFiles[0]!.text;
    })();
    cached.catch(() => {
      cached = undefined;
    });
    return cached;
  };
}

function cookieValue(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === COOKIE) return rest.join('=');
  }
  return undefined;
}

/** An `Origin` that is not this service's own is refused (a cross-site form or script). */
function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  const host = request.headers.host;
  return origin === `http://${host}` || origin === `https://${host}`;
}

function cookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${COOKIE}=${value}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

/**
 * Registers the console when `console.enabled`.
 *
 * @example
 * registerConsoleRoutes(app);
 */
export function registerConsoleRoutes(app: FastifyInstance): void {
  const { ctx, apiKeys } = app.stepgate;
  if (!ctx.config.console.enabled) return;
  const bundle = bundleLoader();
  const secure = (request: FastifyRequest) => request.protocol === 'https';
  const idHash = (id: string) => ctx.sealer.hmac('console-session', id);
  const sealContext = (hash: string) => `console-session:${hash}`;

  /** The signed-in session's admin key, or undefined (no cookie, unknown, expired or signed out). */
  const sessionKey = async (request: FastifyRequest): Promise<string | undefined> => {
    const id = cookieValue(request);
    if (id === undefined || !SESSION_ID.test(id)) return undefined;
    const hash = idHash(id);
    const s = await ctx.store.getConsoleSession(hash, ctx.now());
    if (!s) return undefined;
    try {
      return ctx.sealer.open(s.keySealed, sealContext(hash)).toString('utf8');
    } catch {
      // Sealed under another master key (it was replaced): the operator signs in again.
      return undefined;
    }
  };
  const guard = (request: FastifyRequest) => {
    if (!sameOrigin(request)) throw new StepgateError('forbidden', 'cross-origin request refused');
    if (request.method !== 'GET' && request.headers['stepgate-console'] !== '1')
      throw new StepgateError('forbidden', 'the Stepgate-Console: 1 header is required');
  };

  app.get('/console', async (_request, reply) =>
    reply.header('content-security-policy', CSP).type('text/html; charset=utf-8').send(PAGE),
  );
  app.get('/console/app.js', async (_request, reply) =>
    reply
      .header('content-security-policy', CSP)
      .type('text/javascript; charset=utf-8')
      .send(await bundle()),
  );

  app.post(
    '/console/session',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['key'],
          properties: { key: { type: 'string', minLength: 1, maxLength: 512 } },
        },
      },
    },
    async (request, reply) => {
      guard(request);
      const { key } = request.body as { key: string };
      await authorize(apiKeys, `Bearer ${key}`, 'admin');
      const id = randomBytes(32).toString('base64url');
      const hash = idHash(id);
      const now = ctx.now();
      await ctx.store.insertConsoleSession({
        idHash: hash,
        keySealed: ctx.sealer.seal(Buffer.from(key, 'utf8'), sealContext(hash)),
        createdAt: now,
        expiresAt: now + SESSION_MS,
      });
      return reply
        .header('set-cookie', cookie(id, SESSION_MS / 1000, secure(request)))
        .status(204)
        .send();
    },
  );

  app.delete('/console/session', async (request, reply) => {
    guard(request);
    const id = cookieValue(request);
    if (id !== undefined && SESSION_ID.test(id)) await ctx.store.deleteConsoleSession(idHash(id));
    return reply
      .header('set-cookie', cookie('', 0, secure(request)))
      .status(204)
      .send();
  });

  const relay = async (request: FastifyRequest, reply: FastifyReply) => {
    guard(request);
    const key = await sessionKey(request);
    if (key === undefined) return sendError(reply, 'unauthorized', 'sign in to the console first');
    const path = request.url.slice('/console/api/'.length);
    const method = request.method as 'GET' | 'POST';
    if (!RELAYED.some((r) => r.method === method && r.pattern.test(path)))
      return sendError(reply, 'not_found', 'no such console route');
    const res = await app.inject({
      method,
      url: `/v1/${path}`,
      headers: {
        authorization: `Bearer ${key}`,
        ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
      },
      ...(method === 'POST' ? { payload: JSON.stringify(request.body ?? {}) } : {}),
    });
    reply.status(res.statusCode);
    const type = res.headers['content-type'];
    if (typeof type === 'string') reply.type(type);
    return reply.send(res.body);
  };
  app.get('/console/api/*', relay);
  app.post('/console/api/*', relay);
}
