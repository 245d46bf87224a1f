import { type ErrorBody, type ErrorCode, StepgateError, statusForErrorCode } from '@stepgate/protocol';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { RouteTable } from './route-table.js';

/** Sends `{ error: { code, message, … } }` with the code's status. */
export function sendError(
  reply: FastifyReply,
  code: ErrorCode,
  message: string,
  extra: Omit<ErrorBody['error'], 'code' | 'message'> = {},
): FastifyReply {
  const body: ErrorBody = { error: { code, message, ...extra } };
  if (code === 'unauthorized') reply.header('www-authenticate', 'Bearer realm="stepgate"');
  return reply.status(statusForErrorCode(code)).type('application/json').send(body);
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
      if (error.code === 'rate_limited')
        app.stepgate?.ctx.metrics.rateLimitHits.inc({ route: request.routeOptions.url ?? 'unknown' });
      if (error.code === 'internal_error') request.log.error({ err: error }, 'internal error');
      // toBody() adds the members a caller may see (`path`, `details` of a field of the wrong type, …).
      const { code, message, ...extra } = error.toBody().error;
      return sendError(reply, code, message, extra);
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
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, 'internal_error', 'internal error');
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
