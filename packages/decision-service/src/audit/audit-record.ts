import { createHash } from 'node:crypto';
import { canonicalJson } from '@stepgate/protocol';
import type {
  AuditDetail,
  AuditEventType,
  AuditInput,
  AuditReason,
  AuditWhat,
  AuditWhere,
  AuditWho,
} from './audit-event.js';

/** `prevHash` of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** The stored event: what {@link buildAuditEvent} keeps of an {@link AuditInput}. */
export interface AuditEventBody {
  v: 1;
  /** RFC 3339 time of the event. */
  time: string;
  type: AuditEventType;
  who: AuditWho;
  what: AuditWhat;
  where: AuditWhere;
  decisionId?: string;
  challengeId?: string;
  factorId?: string;
  tokenId?: string;
  /** The decision (`allow`, `step_up`, `deny`) or an outcome code. */
  outcome?: string;
  reasons: AuditReason[];
  risk?: { score: number; level: string };
  signals?: Record<string, unknown>;
  reportOnly?: Array<{ policyId: string; decision: string; reasons: AuditReason[] }>;
  policyVersion?: string;
  detail?: AuditDetail;
  /** SHA-256 (hex) of the decision's replay input, stored beside the record (`audit_replay`). */
  replayDigest?: string;
}

/** One record of the chain. `hash` = SHA-256 over the RFC 8785 JSON of `{ event, prevHash, seq }`. */
export interface AuditRecord {
  seq: number;
  prevHash: string;
  hash: string;
  event: AuditEventBody;
}

const JWT_LIKE = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\./;
const API_KEY_LIKE = /sgk_[A-Za-z0-9_-]{8,}/;
const SHORT_CODE = /^[a-z][a-z0-9_.]{0,63}$/;
const MAX_STRING = 1024;

// With the `u` flag a well-formed surrogate pair is one code point, so this finds lone ones only.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const LONE_SURROGATES = /[\uD800-\uDFFF]/gu;

/**
 * Defence in depth behind the typed inputs: anything shaped like a token or API key is dropped.
 * Lone surrogates become U+FFFD, so every stored string is I-JSON (RFC 8785 §3.1).
 */
function scrubString(value: string): string {
  // Both patterns need at least 12 characters: most strings (codes, ids, flags) skip the tests.
  if (value.length >= 12 && (JWT_LIKE.test(value) || API_KEY_LIKE.test(value))) return '[redacted]';
  const short = value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  return LONE_SURROGATE.test(short) ? short.replace(LONE_SURROGATES, '\uFFFD') : short;
}

/** A deep, JSON-only copy with strings scrubbed; depth and size are bounded. */
function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean' || value === null) return value;
  if (depth > 8) return null;
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => scrub(v, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    const record = value as Record<string, unknown>;
    // Keys in RFC 8785 order (UTF-16 code units), so JSON.stringify already gives the canonical text.
    const keys = Object.keys(record).slice(0, 100).map(scrubString).sort();
    for (const k of keys) {
      const v = record[k];
      if (v === undefined) continue;
      // defineProperty: a `__proto__` key stays a plain member instead of replacing the prototype
      // (only then: it is several times slower than an assignment).
      if (k === '__proto__')
        Object.defineProperty(out, k, {
          value: scrub(v, depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else out[k] = scrub(v, depth + 1);
    }
    return out;
  }
  return null;
}

/** Copies only the named string fields, scrubbed. */
function pick<T extends object>(from: T | undefined, keys: readonly (keyof T & string)[]): T {
  const out: Record<string, unknown> = {};
  if (!from) return out as T;
  for (const k of keys) {
    const v = (from as Record<string, unknown>)[k];
    if (typeof v === 'string') out[k] = scrubString(v);
    else if (typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) out[k] = v;
  }
  return out as T;
}

const code = (v: unknown): string | undefined =>
  typeof v === 'string' && SHORT_CODE.test(v) ? v : undefined;

function reasons(list: readonly AuditReason[] | undefined): AuditReason[] {
  return (list ?? []).slice(0, 100).map((r) => {
    // Members in RFC 8785 order: code, detail, policyId, values.
    const out = { code: scrubString(String(r.code)) } as AuditReason;
    if (typeof r.detail === 'string') out.detail = scrubString(r.detail);
    out.policyId = scrubString(String(r.policyId));
    if (r.values && typeof r.values === 'object') out.values = scrub(r.values) as Record<string, unknown>;
    return out;
  });
}

/** A masked destination keeps at most 4 digits in a row (`•••• 1234`): longer runs are numbers we must not keep. */
const masked = (v: unknown): string | undefined =>
  typeof v === 'string' && !/\d{5,}/.test(v) ? scrubString(v) : undefined;

const LEVELS = new Set<unknown>(['aal1', 'aal2', 'aal3']);
const IDP_ID = /^[A-Za-z0-9_-]{1,64}$/;

function detail(d: AuditDetail | undefined): AuditDetail | undefined {
  if (!d) return undefined;
  // Members in RFC 8785 order.
  const out: AuditDetail = {};
  if (Number.isFinite(d.attemptsLeft)) out.attemptsLeft = d.attemptsLeft!;
  if (d.channel === 'email' || d.channel === 'sms' || d.channel === 'webhook' || d.channel === 'dev')
    out.channel = d.channel;
  const contact = masked(d.contact);
  if (contact) out.contact = contact;
  const failure = code(d.failure);
  if (failure) out.failure = failure;
  if (Number.isFinite(d.failures)) out.failures = d.failures!;
  if (typeof d.idp === 'string' && IDP_ID.test(d.idp)) out.idp = d.idp;
  if (typeof d.levelAboveProof === 'boolean') out.levelAboveProof = d.levelAboveProof;
  if (LEVELS.has(d.provenLevel)) out.provenLevel = d.provenLevel!;
  const reason = code(d.reason);
  if (reason) out.reason = reason;
  if (Number.isFinite(d.resendAfter)) out.resendAfter = d.resendAfter!;
  const sentTo = masked(d.sentTo);
  if (sentTo) out.sentTo = sentTo;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The top level in RFC 8785 member order. */
function sortTop(body: AuditEventBody): AuditEventBody {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(body).sort()) out[key] = (body as unknown as Record<string, unknown>)[key];
  return out as unknown as AuditEventBody;
}

/** An object key that JavaScript enumerates first whatever its insertion order (an array index). */
const INDEX_KEY = /"(?:0|[1-9][0-9]*)":/;

/**
 * The RFC 8785 text of an event from {@link buildAuditEvent}. The builder emits plain JSON with
 * members already in canonical order and I-JSON strings, so `JSON.stringify` is the canonical
 * form (about 10× faster than the general serializer, measured); the one case where JavaScript
 * reorders members — integer-like keys — falls back to `canonicalJson`. A property test checks
 * both agree on arbitrary inputs, and `stepgate audit verify` recomputes with `canonicalJson`.
 */
export function canonicalEventText(body: AuditEventBody): string {
  return canonicalText(body);
}

/** The RFC 8785 text of a value built with its members in canonical order (see above). */
function canonicalText(value: unknown): string {
  const fast = JSON.stringify(value);
  return INDEX_KEY.test(fast) ? canonicalJson(value) : fast;
}

// Sorted, so the copies are built in RFC 8785 member order.
const WHO = ['apiKeyId', 'audience', 'operator', 'sessionId', 'userId'] as const;
const WHAT = ['action', 'level', 'method', 'resourceId', 'resourceType', 'transactionDigest'] as const;
const WHERE = ['country', 'deviceId', 'deviceKnown', 'ip', 'userAgent'] as const;

/**
 * Builds the stored event from a typed input: a field-by-field copy (unknown members are dropped),
 * with token- and key-shaped strings redacted and outcome codes restricted to `[a-z0-9_.]` (S27).
 *
 * @example
 * buildAuditEvent({ type: 'challenge.failed', who: { userId: 'u1' }, detail: { failure: 'wrong_code' } }, Date.now());
 */
export function buildAuditEvent(input: AuditInput, at: number, replayDigest?: string): AuditEventBody {
  const body: AuditEventBody = {
    v: 1,
    time: new Date(at).toISOString(),
    type: input.type,
    who: pick(input.who, WHO),
    what: pick(input.what, WHAT),
    where: pick(input.where, WHERE),
    reasons: reasons(input.reasons),
  };
  for (const key of ['challengeId', 'decisionId', 'policyVersion', 'tokenId'] as const) {
    const v = (input as Partial<Record<typeof key, unknown>>)[key];
    if (typeof v === 'string') body[key] = scrubString(v);
  }
  if (input.type === 'decision') {
    body.outcome = input.decision;
    body.risk = { level: String(input.risk.level), score: scrub(input.risk.score) as number };
    body.signals = scrub(input.risk.signals) as Record<string, unknown>;
    body.reportOnly = input.reportOnly.slice(0, 100).map((r) => ({
      decision: String(r.decision),
      policyId: scrubString(String(r.policyId)),
      reasons: reasons(r.reasons),
    }));
    if (replayDigest !== undefined) body.replayDigest = replayDigest;
  } else {
    if (typeof input.factorId === 'string') body.factorId = scrubString(input.factorId);
    const outcome = code(input.outcome);
    if (outcome) body.outcome = outcome;
    const d = detail(input.detail);
    if (d) body.detail = d;
  }
  return sortTop(body);
}

/**
 * The stored text of a decision's replay input: scrubbed like the record (token- and key-shaped
 * strings redacted, bounded depth and size) and canonical, with its SHA-256 (hex) for the record.
 */
export function replayText(replay: unknown): { text: string; digest: string } {
  const text = canonicalText(scrub(replay));
  return { text, digest: createHash('sha256').update(text).digest('hex') };
}

/**
 * The RFC 8785 text that a record's hash covers: the one implementation of the chain's formula.
 * The audit writer thread runs its compiled text (writer-worker.ts), so it must read nothing but
 * its parameters.
 */
export function hashedText(seq: number, prevHash: string, eventCanonical: string): string {
  // Equal to canonicalJson({ event, prevHash, seq }): keys in code-unit order, a hex string, an integer.
  return `{"event":${eventCanonical},"prevHash":"${prevHash}","seq":${seq}}`;
}

/** SHA-256 (hex) of a record. */
export function recordHash(seq: number, prevHash: string, event: AuditEventBody): string {
  return createHash('sha256')
    .update(hashedText(seq, prevHash, canonicalJson(event)))
    .digest('hex');
}

/** The columns a record is indexed by (derived from the event, checked again by verify). */
export function indexColumns(event: AuditEventBody) {
  const policies = new Set(event.reasons.map((r) => r.policyId));
  return {
    time: Date.parse(event.time),
    type: event.type,
    userId: event.who.userId ?? null,
    action: event.what.action ?? null,
    decision: event.type === 'decision' ? (event.outcome ?? null) : null,
    policyVersion: event.policyVersion ?? null,
    policies: policies.size > 0 ? `,${[...policies].join(',')},` : null,
  };
}
