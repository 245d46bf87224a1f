/**
 * Checks every mocked request and answer against the protocol's JSON Schemas (Ajv, bundled
 * for the browser by tools/wtr-plugins.mjs), so the mocks cannot drift from the wire contract.
 */
import { type SchemaName, schemas } from '@stepgate/protocol';

import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

export type { SchemaName };

const ajv = new Ajv({ allErrors: true, strict: false });
(addFormats as unknown as (a: Ajv) => void)(ajv);
const compiled = new Map<SchemaName, ValidateFunction>();

/** Throws when `value` does not match the named protocol schema (`challengeView`, `verifyRequest`, …); returns it otherwise. */
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
