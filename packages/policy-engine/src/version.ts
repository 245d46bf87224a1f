/**
 * The policy version: SHA-256 of the canonical JSON (sorted keys) of the normalised document —
 * defaults filled in (`onMissing` included), durations in seconds, descriptions left out, the
 * declared field types — plus the IP lists, `acr` values and identity providers (their ids, levels
 * and methods) it was compiled with. Reformatting or reordering keys keeps the version.
 */
import type { AcrValues } from '@stepgate/protocol';
import { parseDuration } from './duration.js';
import { DEFAULT_METHOD_LEVELS } from './methods.js';
import { onMissingOf } from './on-missing.js';
import { sha256Hex } from './sha256.js';
import type { IdpReach, PolicyDocument } from './types.js';

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The stable version string of a document: `sha256:` + 64 hex digits. */
export function documentVersion(
  doc: PolicyDocument,
  lists: ReadonlyMap<string, readonly string[]>,
  acrValues: AcrValues,
  idps?: readonly IdpReach[],
): string {
  const normalised = {
    // Only when configured, so the versions of documents without providers stay what they were.
    idps:
      idps === undefined || idps.length === 0
        ? undefined
        : idps.map(({ id, maxLevel, methods }) => ({
            id,
            maxLevel,
            // Only when given, so the versions with providers that map no methods stay what they were.
            methods: methods === undefined || methods.length === 0 ? undefined : [...new Set(methods)].sort(),
          })),
    version: 1,
    default: doc.default,
    methods: { ...DEFAULT_METHOD_LEVELS, ...doc.methods },
    risk: { ...doc.risk, sessionAgeHigh: parseDuration(doc.risk?.sessionAgeHigh ?? '24h') },
    ipLists: Object.fromEntries(lists),
    acrValues,
    fields: doc.fields ?? {},
    policies: doc.policies.map((p) => ({
      id: p.id,
      mode: p.mode ?? 'enforce',
      effect: p.require !== undefined ? 'step_up' : p.effect,
      when: p.when ?? {},
      onMissing: onMissingOf(p),
      require:
        p.require === undefined
          ? undefined
          : {
              level: p.require.level,
              maxAge: p.require.maxAge === undefined ? undefined : parseDuration(p.require.maxAge),
              methods: p.require.methods === undefined ? undefined : [...p.require.methods].sort(),
              bindTransaction: p.require.bindTransaction ?? false,
              // Only when set, so the versions of documents without it stay what they were.
              anyAction: p.require.anyAction === true ? true : undefined,
              performer:
                p.require.performer === undefined || p.require.performer === 'stepgate'
                  ? undefined
                  : p.require.performer,
            },
    })),
  };
  return `sha256:${sha256Hex(canonical(normalised))}`;
}
