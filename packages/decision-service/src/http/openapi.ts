import { errorResponse, type RouteSpec } from './route-table.js';

type Json = Record<string, unknown>;

/** A copy of a JSON Schema without `$id` (OpenAPI tools resolve `$id` as a base URI). */
function plain(schema: object): Json {
  const { $id: _id, ...rest } = schema as Json;
  return rest;
}

function parameters(route: RouteSpec): Json[] {
  const out: Json[] = [];
  const add = (where: 'path' | 'query' | 'header', schema: object | undefined) => {
    const s = schema as { properties?: Record<string, object>; required?: string[] } | undefined;
    for (const [name, prop] of Object.entries(s?.properties ?? {})) {
      out.push({
        name,
        in: where,
        required: where === 'path' || (s?.required ?? []).includes(name),
        schema: prop,
      });
    }
  };
  add('path', route.schemas.params);
  add('query', route.schemas.querystring);
  add('header', route.schemas.headers);
  return out;
}

/** The route's documented answers, plus the errors every route of its kind can give. */
function withCommonErrors(route: RouteSpec): RouteSpec['schemas']['responses'] {
  const common: RouteSpec['schemas']['responses'] = {};
  if (route.auth !== 'none') common[401] = errorResponse('Missing or wrong API key (`unauthorized`).');
  if (route.auth === 'admin') common[403] = errorResponse('Not an admin key (`forbidden`).');
  if (route.auth === 'users') {
    common[403] = errorResponse(
      'Neither an admin key nor a key of an audience in `users.manageAudiences` (`forbidden`).',
    );
  }
  if (route.schemas.body) {
    common[400] = errorResponse('Malformed body (`invalid_request`, with a JSON pointer in `path`).');
    common[413] = errorResponse('Body larger than `server.bodyLimit` (`payload_too_large`).');
    common[415] = errorResponse('Body is not JSON (`unsupported_media_type`).');
  }
  return { ...common, ...route.schemas.responses };
}

/**
 * Builds the OpenAPI 3.1 document from the route table, so `/openapi.json` always matches the
 * schemas that validate requests.
 */
export function buildOpenApi(routes: readonly RouteSpec[], version: string): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const operation: Json = {
      summary: route.summary,
      tags: route.tags,
      operationId: `${route.method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      responses: Object.fromEntries(
        Object.entries(withCommonErrors(route)).map(([status, r]) => [
          status,
          r.schema
            ? { description: r.description, content: { 'application/json': { schema: plain(r.schema) } } }
            : { description: r.description },
        ]),
      ),
    };
    const params = parameters(route);
    if (params.length) operation.parameters = params;
    if (route.schemas.body) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: plain(route.schemas.body) } },
      };
    }
    // Public routes say so (`[]`: no credential) rather than leaving security undefined.
    operation.security = route.auth === 'none' ? [] : [{ apiKey: [] }];
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Stepgate decision service',
      version,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    // Relative: the API is served by whichever host serves this document.
    servers: [{ url: '/', description: 'This decision service' }],
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key from `stepgate apikey create`.' },
      },
    },
    paths,
  };
}
