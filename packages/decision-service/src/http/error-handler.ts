import { type ErrorBody, type ErrorCode, StepgateError, statusForErrorCode } from '@stepgate/protocol';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { RouteTable } from './route-table.js';

/** An error answer: the code's status, the protocol's body, and the headers the code needs. */
export interface ErrorAnswer {
  status: number;
  body: ErrorBody;
  headers: Readonly<Record<string, string>>;
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
const UNAUTHORIZED_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'www-authenticate': 'Bearer realm="stepgate"',
});

/**
 * `{ error: { code, message, … } }` with the code's status: the one error writer of both code
 * paths (Fastify's routes and the node:http fast path of `POST /v1/decisions`, ADR 0002).
 */
export function errorAnswer(
  code: ErrorCode,
  message: string,
  extra: Omit<ErrorBody['error'], 'code' | 'message'> = {},
): ErrorAnswer {
  return {
    status: statusForErrorCode(code),
    body: { error: { code, message, ...extra } },
    headers: code === 'unauthorized' ? UNAUTHORIZED_HEADERS : NO_HEADERS,
  };
}

/**
 * The answer to an error a handler threw, on either code path: a StepgateError answers with its
 * code and the members a caller may see (`path`, `details` such as `attemptsLeft` or
 * `retryAfter`), counted when it is a rate limit; anything else is logged and answers 500.
 */
export function thrownErrorAnswer(
  error: unknown,
  ctx: {
    log: { error(obj: object, msg: string): void };
    metrics?: { rateLimitHits: { inc(l: { route: string }): void } };
  },
  route: string,
): ErrorAnswer {
  if (error instanceof StepgateError) {
    if (error.code === 'rate_limited') ctx.metrics?.rateLimitHits.inc({ route });
    if (error.code === 'internal_error') ctx.log.error({ err: error }, 'internal error');
    const { code, message, ...extra } = error.toBody().error;
    return errorAnswer(code, message, extra);
  }
  ctx.log.error({ err: error }, 'unhandled error');
  return errorAnswer('internal_error', 'internal error');
}

/** Sends an {@link errorAnswer} through Fastify. */
export function sendError(
  reply: FastifyReply,
  code: ErrorCode,
  message: string,
  extra: Omit<ErrorBody['error'], 'code' | 'message'> = {},
): FastifyReply {
  return sendAnswer(reply, errorAnswer(code, message, extra));
}

function sendAnswer(reply: FastifyReply, answer: ErrorAnswer): FastifyReply {
  return reply.status(answer.status).headers(answer.headers).type('application/json').send(answer.body);
}

/** The message and JSON pointer of a failed schema validation (the first ajv error). */
export function validationFailure(
  first:
    | { instancePath?: string; keyword?: string; message?: string; params?: Record<string, unknown> }
    | undefined,
  where: string,
): { message: string; path: string } {
  const path = first?.instancePath || '';
  const extra =
    first?.keyword === 'additionalProperties' ? ` (${String(first.params?.additionalProperty)})` : '';
  return { message: `${where}${path} ${first?.message ?? 'is invalid'}${extra}`, path: `/${where}${path}` };
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_request',
  FST_ERR_VALIDATION: 'invalid_request',
};

/**
 * Installs the error, 404 and 405 handlers: every error answers in the protocol's shape, and
 * nothing the caller sends can produce a 5xx (S30).
 */
export function installErrorHandlers(app: FastifyInstance, routes: RouteTable): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof StepgateError) {
      const ctx = { log: request.log, metrics: app.stepgate?.ctx.metrics };
      return sendAnswer(reply, thrownErrorAnswer(error, ctx, request.routeOptions.url ?? 'unknown'));
    }
    if (error.validation) {
      const { message, path } = validationFailure(error.validation[0], error.validationContext ?? 'body');
      return sendError(reply, 'invalid_request', message, { path });
    }
    const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (mapped) return sendError(reply, mapped, error.message);
    if (error instanceof SyntaxError)
      return sendError(reply, 'invalid_request', 'the body is not valid JSON');
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code: ErrorCode =
        status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'invalid_request';
      return sendError(reply, code, error.message);
    }
    return sendAnswer(
      reply,
      thrownErrorAnswer(error, { log: request.log }, request.routeOptions.url ?? 'unknown'),
    );
  });

  app.setNotFoundHandler((request, reply) => {
    const allowed = routes.methodsFor(request.url);
    if (allowed.length > 0) {
      if (allowed.includes('GET')) allowed.push('HEAD');
      reply.header('allow', allowed.join(', '));
      return sendError(reply, 'method_not_allowed', `${request.method} is not allowed here`);
    }
    return sendError(reply, 'not_found', 'no such route');
  });
}
