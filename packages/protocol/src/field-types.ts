/**
 * Types of the request fields policies read (docs/policies.md "Typed fields"). The policy engine
 * gives every field a condition compares one of these types; a request whose field is present
 * with another type is refused as `invalid_request`, never evaluated as "did not match". The
 * decision service publishes them (`GET /v1/policies/fields`) and node-client's guards check the
 * transaction an app hands them against them.
 */

/**
 * Every field type. `ip` is a string holding an IPv4 (four-part decimal) or IPv6 address. A type
 * ending in `[]` is a list whose every element has the element type; operators on a list match
 * when any element does.
 *
 * @example
 * FIELD_TYPES.includes('number'); // true
 */
export const FIELD_TYPES = [
  'string',
  'number',
  'boolean',
  'ip',
  'string[]',
  'number[]',
  'boolean[]',
  'ip[]',
] as const;

/** A field type. */
export type FieldType = (typeof FIELD_TYPES)[number];

/**
 * Tells whether a value is a field type name.
 *
 * @example
 * isFieldType('number[]'); // true
 * isFieldType('integer');  // false
 */
export function isFieldType(value: unknown): value is FieldType {
  return typeof value === 'string' && (FIELD_TYPES as readonly string[]).includes(value);
}

/**
 * Whether one scalar fits a scalar type: a finite number for `number` (NaN and Infinity do not;
 * JSON turns them into `null`), a string, a boolean, or a string `isIp` accepts for `ip`.
 */
function scalarFits(type: string, value: unknown, isIp: (s: string) => boolean): boolean {
  switch (type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return typeof value === 'string' && isIp(value);
  }
}

/**
 * Tells whether a present value fits a field type. `isIp` decides what an IP address is (the
 * policy engine and node-client pass their own parsers).
 *
 * @example
 * fieldValueFits('number', 900, () => false);          // true
 * fieldValueFits('number', '900 EUR', () => false);    // false
 * fieldValueFits('number', null, () => false);         // false (NaN arrives as null)
 * fieldValueFits('string[]', ['a', 'b'], () => false); // true
 */
export function fieldValueFits(type: FieldType, value: unknown, isIp: (s: string) => boolean): boolean {
  const element = ELEMENT_TYPE[type];
  if (element === undefined) return scalarFits(type, value, isIp);
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (!scalarFits(element, value[i], isIp)) return false;
  return true;
}

/** The element type of each list type (looked up, not sliced: the engine checks on every request). */
const ELEMENT_TYPE: Readonly<Partial<Record<FieldType, string>>> = {
  'string[]': 'string',
  'number[]': 'number',
  'boolean[]': 'boolean',
  'ip[]': 'ip',
};

/**
 * A short description of a value's JSON type, for error details: `string`, `number`, `boolean`,
 * `null`, `array`, `object`, or `non-finite number` (NaN, Infinity).
 *
 * @example
 * jsonTypeOf('900 EUR'); // 'string'
 * jsonTypeOf(null);      // 'null'
 */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isFinite(value) ? 'number' : 'non-finite number';
  if (typeof value === 'string' || typeof value === 'boolean') return typeof value;
  return typeof value === 'object' ? 'object' : typeof value;
}
