/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): one exact text for one JSON value, so a digest of
 * it is the same wherever it is computed (Node, browsers, other languages with a JCS library).
 */
import { StepgateError } from './errors.js';

/**
 * How deep arrays and objects may nest in {@link canonicalJson}; deeper input is refused with
 * `invalid_request` instead of exhausting the stack.
 *
 * @defaultValue 256
 */
export const MAX_CANONICAL_DEPTH = 256;

// With the `u` flag a well-formed surrogate pair is one code point, so this finds lone ones only.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * The keys from the root to the value being serialised. The JSON pointer is built from it only
 * when a value is refused: building it for every member would cost more than serialising.
 */
type Keys = Array<string | number>;

function fail(message: string, keys: Keys): never {
  let path = '';
  for (const key of keys) path += `/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`;
  throw new StepgateError('invalid_request', `${message} at ${path === '' ? '/' : path}`, {
    details: { path },
  });
}

/**
 * RFC 8785 §3.2.2.2: strings are serialised as ECMAScript's `JSON.stringify` does — `\b \t \n \f
 * \r`, other controls as lowercase `\u00hh`, `"` and `\` escaped, everything else as is. I-JSON
 * (RFC 7493 §2.1, required by RFC 8785 §3.1) forbids lone surrogates, so they are refused.
 */
function serializeString(value: string, keys: Keys): string {
  if (LONE_SURROGATE.test(value)) fail('A string holds a lone surrogate', keys);
  return JSON.stringify(value);
}

function serialize(value: unknown, keys: Keys, seen: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return serializeString(value, keys);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      // RFC 8785 §3.2.2.3: ECMAScript Number::toString; -0 serialises as 0; NaN and ±Infinity are not JSON.
      if (!Number.isFinite(value)) fail('A number is not finite', keys);
      return String(value);
    case 'object':
      break;
    default:
      fail(`A ${typeof value} is not a JSON value`, keys);
  }
  if (value === null) return 'null';
  if (keys.length >= MAX_CANONICAL_DEPTH) fail(`Nesting is deeper than ${MAX_CANONICAL_DEPTH}`, keys);
  if (seen.has(value)) fail('The value is circular', keys);
  seen.add(value);
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) {
      keys.push(i);
      out += `${i === 0 ? '' : ','}${serialize(value[i], keys, seen)}`;
      keys.pop();
    }
    out += ']';
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) fail('Only plain objects and arrays are JSON', keys);
    const record = value as Record<string, unknown>;
    // RFC 8785 §3.2.3: members sorted by their names as arrays of UTF-16 code units, which is
    // exactly what the default Array.prototype.sort comparison does. Undefined members are left
    // out, as JSON.stringify does.
    out = '{';
    for (const key of Object.keys(record).sort()) {
      const member = record[key];
      if (member === undefined) continue;
      keys.push(key);
      out += `${out.length === 1 ? '' : ','}${serializeString(key, keys)}:${serialize(member, keys, seen)}`;
      keys.pop();
    }
    out += '}';
  }
  seen.delete(value);
  return out;
}

/**
 * Serialises a JSON value in its RFC 8785 canonical form: no whitespace, object members sorted
 * by UTF-16 code units, ECMAScript number and string serialisation. Members whose value is
 * `undefined` are left out.
 *
 * @throws {@link StepgateError} `invalid_request` (with `details.path`, a JSON pointer) for
 * NaN or ±Infinity, a lone surrogate, a bigint, function, symbol or `undefined` where a value is
 * needed, an object that is not plain (Date, Map, class instance), a cycle, or nesting deeper than
 * {@link MAX_CANONICAL_DEPTH}.
 * @example
 * canonicalJson({ b: [1e21, 0.1, -0], a: 'é' }); // '{"a":"é","b":[1e+21,0.1,0]}'
 */
export function canonicalJson(value: unknown): string {
  return serialize(value, [], new Set());
}
