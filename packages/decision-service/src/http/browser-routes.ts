import cors from '@fastify/cors';
import { StepgateError } from '@stepgate/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate } from './auth.js';
import { forwardedClientIp, type TrustedNetworks } from './client-ip.js';

/** Paths the widget calls from the browser: the challenge and enrollment-ticket routes. */
export const BROWSER_PATH = /^\/v1\/(?:challenges|enrollments)\/[^/?#]+(?:[/?#]|$)/;

/**
 * CORS for the app's origins (config `origins`) on the browser routes only: server-to-server
 * routes never answer a browser's preflight. No credentials; only `Content-Type` may be sent.
 *
 * @example
 * await registerBrowserCors(app, ['https://bank.example']);
 */
export async function registerBrowserCors(app: FastifyInstance, origins: string[]): Promise<void> {
  // Both answers are built once: the delegator runs on every request.
  const options = (origin: string[] | false) => ({
    origin,
    methods: ['GET', 'POST'],
    allowedHeaders: ['content-type'],
    maxAge: 600,
    strictPreflight: false,
  });
  const browser = options(origins.length > 0 ? origins : false);
  const other = options(false);
  await app.register(cors, {
    delegator: (request, callback) => callback(null, BROWSER_PATH.test(request.url) ? browser : other),
  });
}

/**
 * The client IP of a browser route: the socket's address, or `Stepgate-Client-IP` when the
 * caller is the app's proxy (it holds an API key, and comes from `trustedClients` when set).
 * A browser's `X-Forwarded-For` is never read (S7).
 *
 * @throws StepgateError `unauthorized` when an `Authorization` header carries a wrong key.
 */
export async function browserClientIp(request: FastifyRequest, trusted: TrustedNetworks): Promise<string> {
  if (request.headers.authorization !== undefined) {
    await authenticate(request, 'api');
    const forwarded = forwardedClientIp(request, trusted);
    if (forwarded !== undefined) return forwarded;
  }
  return request.socket.remoteAddress ?? 'unknown';
}

/**
 * Answers a StepgateError with its full body (`attemptsLeft`, `retryAfter`) and a `Retry-After`
 * header for `rate_limited`; rethrows anything else to the common error handler.
 */
export function answerError(reply: FastifyReply, error: unknown): FastifyReply {
  if (!(error instanceof StepgateError) || error.details === undefined) throw error;
  if (error.code === 'rate_limited')
    reply.server.stepgate?.ctx.metrics.rateLimitHits.inc({
      route: reply.request.routeOptions.url ?? 'unknown',
    });
  const body = error.toBody();
  if (body.error.retryAfter !== undefined) reply.header('retry-after', String(body.error.retryAfter));
  return reply.status(error.status).type('application/json').send(body);
}
