/**
 * Validates test mocks and what the SDK sends against the protocol's JSON Schemas, with
 * @cfworker/json-schema (an ES module that runs in the browser; formats checked too).
 */
import { Validator } from '@cfworker/json-schema';
import { type SchemaName, schemas } from '@stepgate/protocol';

const validators = new Map<SchemaName, Validator>();

/** Throws when `value` does not match the named protocol schema. */
export function assertValid(name: SchemaName, value: unknown): void {
  let validator = validators.get(name);
  if (!validator) {
    validator = new Validator(
      schemas[name] as unknown as ConstructorParameters<typeof Validator>[0],
      '2020-12',
      false,
    );
    validators.set(name, validator);
  }
  const result = validator.validate(value);
  if (!result.valid) {
    const detail = result.errors.map((e) => `${e.instanceLocation}: ${e.error}`).join('; ');
    throw new Error(`${name}: ${detail}`);
  }
}
