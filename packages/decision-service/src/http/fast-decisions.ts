import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DecisionRequest } from '@stepgate/protocol';
import type { ValidateFunction } from 'ajv';
import secureJson from 'secure-json-parse';
import type { ServiceContext } from '../service-context.js';
import { type ApiKeyCache, authorize } from './auth.js';
import { forwardedIp, type TrustedNetworks } from './client-ip.js';
import { type ErrorAnswer, errorAnswer, thrownErrorAnswer, validationFailure } from './error-handler.js';
import { decisionRequestSchema } from './protocol-schemas.js';
import { requestAjv } from './request-ajv.js';
import { answerDecision } from './routes/decisions.js';
import { decisionHeadersSchema } from './schemas.js';

/** `application/json`, with or without parameters (`; charset=utf-8`), as Fastify's parser takes it. */
const JSON_MEDIA_TYPE = /^application\/json[\t ]*(?:;|$)/i;
const PATH = '/v1/decisions';
const ROUTE = { method: 'POST', route: PATH };
const PARSE_OPTIONS = { protoAction: 'error', constructorAction: 'error' } as const;

/** What the fast path answers with besides the body. */
type ExtraHeaders = Record<string, string>;

/**
 * `POST /v1/decisions` straight from node:http: the one route on every guarded request of every
 * app, so it skips Fastify's per-request machinery (hooks, content-type parser chain, CORS
 * delegator, child logger). It behaves as the Fastify route does (same schemas, ajv options,
 * JSON parser settings, error bodies, headers and metrics), and it only takes the plain case: a
 * JSON body with a `Content-Length` within the body limit, while the app is not closing. Anything
 * else (chunked, empty, oversized or non-JSON bodies, other routes) goes to Fastify, which
 * answers it with the same route's full behaviour.
 *
 * @returns a handler that answers and returns true, or returns false and leaves the request alone
 */
export function fastDecisionRoute(
  ctx: ServiceContext,
  apiKeys: ApiKeyCache,
  trusted: TrustedNetworks,
): { handle(req: IncomingMessage, res: ServerResponse): boolean; close(): void } {
  const ajv = requestAjv();
  const validateBody = ajv.compile<DecisionRequest>(decisionRequestSchema);
  const validateHeaders = ajv.compile(decisionHeadersSchema as object);
  const limit = ctx.config.server.bodyLimit;
  let closing = false;

  const send = (
    res: ServerResponse,
    status: number,
    body: unknown,
    started: number,
    extra?: ExtraHeaders,
    written?: string,
  ) => {
    const text = written ?? JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      ...extra,
    });
    res.end(text);
    ctx.metrics.httpSeconds.observe(
      { ...ROUTE, status: String(status) },
      (performance.now() - started) / 1000,
    );
  };

  const fail = (res: ServerResponse, answer: ErrorAnswer, started: number) =>
    send(res, answer.status, answer.body, started, answer.headers);

  const invalid = (res: ServerResponse, validate: ValidateFunction, where: string, started: number) => {
    const { message, path } = validationFailure(validate.errors?.[0], where);
    fail(res, errorAnswer('invalid_request', message, { path }), started);
  };

  async function run(req: IncomingMessage, res: ServerResponse, text: string, started: number) {
    let body: unknown;
    try {
      body = secureJson.parse(text, undefined, PARSE_OPTIONS);
    } catch {
      return fail(
        res,
        errorAnswer(
          'invalid_request',
          "Body is not valid JSON but content-type is set to 'application/json'",
        ),
        started,
      );
    }
    // Fastify's order: body, then headers; the key is checked by the handler, after validation.
    if (!validateBody(body)) return invalid(res, validateBody, 'body', started);
    const { headers } = req;
    if (!validateHeaders(headers)) return invalid(res, validateHeaders, 'headers', started);
    try {
      const caller = await authorize(apiKeys, headers.authorization, 'api');
      const ip = forwardedIp(headers['stepgate-client-ip'], req.socket.remoteAddress, trusted);
      const key = headers['idempotency-key'];
      const answer = await answerDecision(ctx, body, {
        caller,
        ...(ip === undefined ? {} : { forwardedIp: ip }),
        ...(typeof key === 'string' ? { idempotencyKey: key } : {}),
      });
      send(
        res,
        answer.status,
        answer.body,
        started,
        answer.replayed ? { 'idempotent-replayed': 'true' } : undefined,
        answer.text,
      );
    } catch (error) {
      return fail(res, thrownErrorAnswer(error, ctx, PATH), started);
    }
  }

  return {
    handle(req, res) {
      if (closing || req.method !== 'POST') return false;
      const { url } = req;
      if (url !== PATH && !(url?.startsWith(PATH) && url[PATH.length] === '?')) return false;
      const { headers } = req;
      const type = headers['content-type'];
      const length = Number(headers['content-length']);
      if (
        type === undefined ||
        !JSON_MEDIA_TYPE.test(type) ||
        !(length > 0 && length <= limit) ||
        headers['transfer-encoding'] !== undefined
      ) {
        return false;
      }
      const started = performance.now();
      let first: Buffer | undefined;
      let more: Buffer[] | undefined;
      req.on('data', (chunk: Buffer) => {
        if (first === undefined) first = chunk;
        else if (more === undefined) more = [first, chunk];
        else more.push(chunk);
      });
      req.on('end', () => {
        const text = more ? Buffer.concat(more).toString('utf8') : (first?.toString('utf8') ?? '');
        run(req, res, text, started).catch((error: unknown) => {
          const answer = thrownErrorAnswer(error, ctx, PATH);
          if (!res.headersSent) fail(res, answer, started);
        });
      });
      req.on('error', () => res.destroy());
      return true;
    },
    /** From now on everything goes to Fastify, which answers 503 while closing. */
    close() {
      closing = true;
    },
  };
}
