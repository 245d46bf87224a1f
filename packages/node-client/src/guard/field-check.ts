import { isIP } from 'node:net';
import {
  type DecisionRequest,
  type FieldType,
  fieldValueFits,
  type InvalidFieldDetails,
  jsonTypeOf,
  type PolicyFieldsAnswer,
} from '@stepgate/protocol';

/** After a failed fetch of the types, how long the guard checks nothing itself (the service still does). */
const RETRY_AFTER_MS = 30_000;
/** A mismatch refreshes the types first when they are at least this old (the policies may have changed). */
const RECHECK_AFTER_MS = 5_000;

const isIp = (s: string): boolean => isIP(s) !== 0;
const hasOwn = Object.prototype.hasOwnProperty;

/** A type in words, for messages: `a number`, `an IP address`, `a list of strings`. */
function phrase(type: FieldType): string {
  if (type === 'ip') return 'an IP address';
  if (type === 'ip[]') return 'a list of IP addresses';
  return type.endsWith('[]') ? `a list of ${type.slice(0, -2)}s` : `a ${type}`;
}

/**
 * What a request field holds: `{ present: false }` when it (or a step on the way) is missing, or its
 * value; a step that is present but not an object gives the description of that step instead.
 */
function read(
  input: DecisionRequest,
  path: string,
): { present: false } | { present: true; value: unknown; blocked?: string } {
  let v: unknown = input;
  let at = '';
  for (const key of path.split('.')) {
    if (v === undefined) return { present: false };
    if (v === null || typeof v !== 'object')
      return { present: true, value: v, blocked: `${jsonTypeOf(v)} at ${at}` };
    if (!hasOwn.call(v, key)) return { present: false };
    v = (v as Record<string, unknown>)[key];
    at = at === '' ? key : `${at}.${key}`;
  }
  return v === undefined ? { present: false } : { present: true, value: v };
}

/** The first enforced field of `types` the request holds with another type, as the service would say it. */
export function firstMismatch(
  input: DecisionRequest,
  types: PolicyFieldsAnswer,
): InvalidFieldDetails | undefined {
  for (const [field, info] of Object.entries(types.fields)) {
    if (info.reportOnly) continue; // the service reports it, and lets the request through
    const found = read(input, field);
    if (!found.present) continue; // a missing field is the policy's onMissing, not a type error
    if (found.blocked === undefined && fieldValueFits(info.type, found.value, isIp)) continue;
    const actual =
      found.blocked ??
      (info.type === 'ip' && typeof found.value === 'string'
        ? 'string that is not an IP address'
        : jsonTypeOf(found.value));
    const policyId = info.policies[0];
    return {
      field,
      ...(policyId === undefined ? {} : { policyId }),
      expected: info.type,
      actual,
      policyVersion: types.policyVersion,
    };
  }
  return undefined;
}

/** The message of a mismatch, in the service's words. */
export function mismatchMessage(d: InvalidFieldDetails): string {
  const by = d.policyId === undefined ? 'declared in fields' : `compared by policy ${d.policyId}`;
  return `${d.field} must be ${phrase(d.expected)} (${by}); the request has ${d.actual}`;
}

/**
 * The policies' field types (docs/policies.md "Typed fields"), fetched from the service on first use
 * and kept by policy version: a decision that carries another version refreshes them, and a mismatch
 * refreshes them first when they are a few seconds old, so a policy change never leaves the guard
 * refusing what the service would accept. While they cannot be fetched, the guard checks nothing
 * itself: the service checks every request anyway.
 */
export class PolicyFieldTypes {
  readonly #fetch: () => Promise<PolicyFieldsAnswer>;
  readonly #now: () => number;
  #types: PolicyFieldsAnswer | undefined;
  #fetchedAt = 0;
  #retryAt = 0;
  #pending: Promise<void> | undefined;

  constructor(fetchTypes: () => Promise<PolicyFieldsAnswer>, now: () => number = Date.now) {
    this.#fetch = fetchTypes;
    this.#now = now;
  }

  /** Fetches the types again (one fetch at a time). */
  refresh(): Promise<void> {
    this.#pending ??= this.#fetch()
      .then(
        (types) => {
          this.#types = types;
          this.#fetchedAt = this.#now();
        },
        () => {
          this.#retryAt = this.#now() + RETRY_AFTER_MS;
        },
      )
      .finally(() => {
        this.#pending = undefined;
      });
    return this.#pending;
  }

  /** A decision answered with `policyVersion`: refresh in the background when the types are of another. */
  seen(policyVersion: string): void {
    if (this.#types !== undefined && this.#types.policyVersion !== policyVersion) void this.refresh();
  }

  /**
   * The first field of the request that does not fit its type, or `undefined` (also while the types are
   * unavailable). The first call waits for the types.
   */
  async check(input: DecisionRequest): Promise<InvalidFieldDetails | undefined> {
    if (this.#types === undefined) {
      if (this.#now() < this.#retryAt) return undefined;
      await this.refresh();
      if (this.#types === undefined) return undefined;
    }
    const mismatch = firstMismatch(input, this.#types);
    if (mismatch === undefined || this.#now() - this.#fetchedAt < RECHECK_AFTER_MS) return mismatch;
    await this.refresh();
    const types = this.#types;
    return types === undefined ? undefined : firstMismatch(input, types);
  }
}
