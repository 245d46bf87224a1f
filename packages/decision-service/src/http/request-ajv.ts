import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: its default export is the plugin itself or `{ default: plugin }`.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

/**
 * An ajv with the options Fastify's validator runs with here (build-app.ts) and the formats
 * Fastify adds. Every validator of a request body outside Fastify's own (the fast path, the
 * AuthZEN mappings) is built from it: without the formats, `context.ip` would not be checked to
 * be an IP address, and a malformed one would reach the policies' IP lists.
 */
export function requestAjv(): Ajv {
  return addFormats(
    new Ajv({
      removeAdditional: false,
      coerceTypes: false,
      useDefaults: false,
      allErrors: false,
      strict: false,
    }),
  );
}
