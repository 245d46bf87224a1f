/**
 * Checks every mocked request and answer against the protocol's JSON Schemas (Ajv, bundled
 * for the browser by tools/wtr-plugins.mjs), so the mocks cannot drift from the wire contract.
 */
// TEMPORARY until @stepgate/protocol exports `schemas`: the schema modules directly.
import * as challenge from '../../protocol/src/schemas/challenge-schemas.js';
import * as enrollment from '../../protocol/src/schemas/enrollment-schemas.js';

const schemas = { ...challenge, ...enrollment };

import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/** A protocol schema name (`challengeViewSchema`, `verifyRequestSchema`, …). */
export type SchemaName = keyof typeof schemas;

const ajv = new Ajv({ allErrors: true, strict: false });
(addFormats as unknown as (a: Ajv) => void)(ajv);
const compiled = new Map<SchemaName, ValidateFunction>();

/** Throws when `value` does not match the named protocol schema; returns it otherwise. */
export function assertValid<T>(name: SchemaName, value: T): T {
  let validate = compiled.get(name);
  if (!validate) {
    validate = ajv.compile(schemas[name] as object);
    compiled.set(name, validate);
  }
  if (!validate(value)) {
    throw new Error(`${name}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(value)}`);
  }
  return value;
}
