/**
 * Field paths that conditions may read (docs/policies.md "Fields"): request fields under
 * `action`, `subject`, `resource`, `transaction`, `context`, and risk signals under `risk`.
 */
import { SIGNAL_NAMES } from './signals.js';

/** A resolved field. */
export type Field =
  | { readonly kind: 'action'; readonly path: string }
  | { readonly kind: 'level'; readonly path: string }
  | { readonly kind: 'sig'; readonly path: string; readonly key: string }
  | {
      readonly kind: 'req';
      readonly path: string;
      readonly root: RequestRoot;
      readonly keys: readonly string[];
    };

/** Top-level request members a path may start with. */
export type RequestRoot = 'subject' | 'resource' | 'transaction' | 'context';

const SUBJECT_KEYS = new Set(['id', 'sessionId', 'authTime', 'acr', 'roles']);
const CONTEXT_PATHS = new Set([
  'ip',
  'userAgent',
  'geo.country',
  'geo.lat',
  'geo.lon',
  'device.deviceId',
  'device.fingerprint',
]);
const DEVICE_SIGNALS = new Set([
  'tz',
  'lang',
  'screen',
  'platform',
  'cores',
  'memory',
  'touch',
  'colorDepth',
  'webgl',
  'webdriver',
  'webauthn',
  'platformAuthenticator',
  'webview',
]);
/** Keys that would reach the prototype chain; never valid in a path. */
const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * Resolves a field path; returns the field or an error message.
 *
 * @example
 * resolveField('transaction.amount'); // { kind: 'req', root: 'transaction', keys: ['amount'], … }
 */
export function resolveField(path: string): Field | string {
  if (path === 'action' || path === 'action.name') return { kind: 'action', path };
  if (path === 'subject.level') return { kind: 'level', path };
  const parts = path.split('.');
  if (parts.some((p) => p === '' || FORBIDDEN.has(p))) return `"${path}" is not a valid field path`;
  const [root, ...rest] = parts as [string, ...string[]];
  const tail = rest.join('.');
  switch (root) {
    case 'risk':
      if (SIGNAL_NAMES.has(tail)) return { kind: 'sig', path, key: tail };
      return `unknown risk signal "${tail}" (known: ${[...SIGNAL_NAMES].join(', ')})`;
    case 'subject':
      if (rest.length === 1 && SUBJECT_KEYS.has(tail)) return { kind: 'req', path, root, keys: rest };
      return `unknown subject field "${path}" (known: subject.${[...SUBJECT_KEYS, 'level'].join(', subject.')})`;
    case 'resource':
      if (tail === 'type' || tail === 'id' || (rest[0] === 'attributes' && rest.length > 1)) {
        return { kind: 'req', path, root, keys: rest };
      }
      return `unknown resource field "${path}" (known: resource.type, resource.id, resource.attributes.*)`;
    case 'transaction':
      if (rest.length > 0) return { kind: 'req', path, root, keys: rest };
      return 'a transaction field needs a name, such as transaction.amount';
    case 'context':
      if (CONTEXT_PATHS.has(tail)) return { kind: 'req', path, root, keys: rest };
      if (
        rest.length === 3 &&
        rest[0] === 'device' &&
        rest[1] === 'signals' &&
        DEVICE_SIGNALS.has(rest[2] as string)
      ) {
        return { kind: 'req', path, root, keys: rest };
      }
      return `unknown context field "${path}"`;
    default:
      return `unknown field "${path}": paths start with action, subject, resource, transaction, context or risk`;
  }
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Reads a request field by walking own properties only (never the prototype chain); `undefined`
 * when any step is missing or not an object.
 */
export function readPath(root: unknown, keys: readonly string[]): unknown {
  let v = root;
  for (const k of keys) {
    if (v === null || typeof v !== 'object' || !hasOwn.call(v, k)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}
