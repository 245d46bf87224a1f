import { StepgateError } from '@stepgate/protocol';
import type { FastifyInstance } from 'fastify';
import { AUDIT_EVENT_TYPES } from '../audit/audit-event.js';
import type { AuditLogReader } from '../audit/audit-port.js';
import type { AuditQuery } from '../audit/audit-reader.js';
import { errorResponse, type RouteTable } from './route-table.js';

const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const;
const dateTime = {
  type: 'string',
  maxLength: 40,
  pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2}))?$',
} as const;

/** Query of `GET /v1/audit`. */
export const auditQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: dateTime,
    to: dateTime,
    user: text(256),
    action: text(200),
    decision: { enum: ['allow', 'step_up', 'deny', 'invalid_request'] },
    policy: text(200),
    policyVersion: text(200),
    type: { enum: [...AUDIT_EVENT_TYPES] },
    limit: { type: 'string', pattern: '^(?:[1-9]\\d{0,2}|1000)$' },
    cursor: { type: 'string', pattern: '^c[1-9]\\d{0,15}$' },
  },
} as const;

/** Answer of `GET /v1/audit`. */
export const auditPageSchema = {
  type: 'object',
  required: ['records'],
  properties: {
    records: {
      type: 'array',
      items: {
        type: 'object',
        required: ['seq', 'prevHash', 'hash', 'event'],
        properties: {
          seq: { type: 'integer' },
          prevHash: { type: 'string' },
          hash: { type: 'string' },
          event: { type: 'object' },
        },
      },
    },
    nextCursor: { type: 'string' },
  },
} as const;

function time(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new StepgateError('invalid_request', `${name} is not a valid RFC 3339 time`);
  return t;
}

/**
 * `GET /v1/audit` (admin key): the audit log, newest first, filtered by time range (`from`
 * inclusive, `to` exclusive, RFC 3339), `user`, `action`, `decision`, `policy` (a policy id among
 * the reasons), `policyVersion` and `type`; `limit` (1–1000, default 100) and an opaque `cursor`
 * from the previous page's `nextCursor`.
 */
export function registerAuditRoutes(
  app: FastifyInstance,
  routes: RouteTable,
  reader: () => AuditLogReader,
): void {
  routes.add(app, {
    method: 'GET',
    url: '/v1/audit',
    auth: 'admin',
    summary: 'Query the audit log (newest first, cursor-paginated).',
    tags: ['audit'],
    schemas: {
      querystring: auditQuerySchema,
      responses: {
        200: { description: 'A page of records.', schema: auditPageSchema },
        400: errorResponse('Malformed filter (`invalid_request`).'),
        401: errorResponse('Missing or wrong API key (`unauthorized`).'),
        403: errorResponse('Not an admin key (`forbidden`).'),
      },
    },
    handler: async (request) => {
      const q = request.query as Record<string, string | undefined>;
      const query: AuditQuery = { limit: q.limit === undefined ? 100 : Number(q.limit) };
      const from = time(q.from, 'from');
      const to = time(q.to, 'to');
      if (from !== undefined) query.from = from;
      if (to !== undefined) query.to = to;
      if (q.user !== undefined) query.userId = q.user;
      if (q.action !== undefined) query.action = q.action;
      if (q.decision !== undefined) query.decision = q.decision;
      if (q.policy !== undefined) query.policy = q.policy;
      if (q.policyVersion !== undefined) query.policyVersion = q.policyVersion;
      if (q.type !== undefined) query.type = q.type;
      if (q.cursor !== undefined) query.beforeSeq = Number(q.cursor.slice(1));
      const page = await reader().query(query);
      return page.nextBeforeSeq === undefined
        ? { records: page.records }
        : { records: page.records, nextCursor: `c${page.nextBeforeSeq}` };
    },
  });
}
