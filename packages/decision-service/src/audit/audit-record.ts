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
/** Most members of an object and items of an array kept; nesting below this depth becomes `null`. */
const MAX_ITEMS = 100;
const MAX_DEPTH = 8;

// Any surrogate at all (no `u` flag): rare, so it screens strings for the exact test below.
const SURROGATE = /[\uD800-\uDFFF]/;
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
  return SURROGATE.test(short) && LONE_SURROGATE.test(short)
    ? short.replace(LONE_SURROGATES, '\uFFFD')
    : short;
}

/** The JSON text of a scrubbed string. */
const str = (value: string): string => JSON.stringify(scrubString(value));

/** The keys of an object in RFC 8785 order (UTF-16 code units), at most {@link MAX_ITEMS} of them. */
function sortedKeys(record: object): string[] {
  const all = Object.keys(record);
  const keys = all.length > MAX_ITEMS ? all.slice(0, MAX_ITEMS) : all;
  // Insertion sort: objects here have a handful of members, and `<` compares code units.
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > k) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

/**
 * The RFC 8785 text of a deep, JSON-only copy of `value` with its strings (keys too) scrubbed;
 * depth and size are bounded: past {@link MAX_DEPTH} an object or array is `null`, past
 * {@link MAX_ITEMS} members or items are dropped, an `undefined` member is left out, anything else
 * that is not JSON (a non-finite number, a function) is `null`. Written in one pass, without the
 * copy. A `__proto__` key is a member like any other.
 */
function scrubbed(value: unknown, depth = 0): string {
  switch (typeof value) {
    case 'string':
      return str(value);
    case 'number':
      // RFC 8785 §3.2.2.3: ECMAScript Number::toString (-0 is 0).
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return 'null';
  }
  if (value === null || depth > MAX_DEPTH) return 'null';
  if (Array.isArray(value)) {
    const n = Math.min(value.length, MAX_ITEMS);
    let out = '[';
    for (let i = 0; i < n; i++) out += (i === 0 ? '' : ',') + scrubbed(value[i], depth + 1);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = sortedKeys(record);
  let out = '{';
  for (const k of keys) {
    const v = record[k];
    if (v === undefined) continue;
    const name = keyText(k);
    // A key the scrubbing changes can collide with another and move in the order: rare enough
    // to take the general way (copy, then the general serializer) for this object.
    if (name === undefined) return canonicalJson(scrubCopy(record, depth));
    out += `${out.length === 1 ? '' : ','}${name}:${scrubbed(v, depth + 1)}`;
  }
  return `${out}}`;
}

/** JSON texts of keys that the scrubbing leaves as they are (signal names, request fields). */
const KEY_TEXTS = new Map<string, string>();
const MAX_KEY_TEXTS = 4096;

/** The JSON text of a key, or undefined when the scrubbing would change it. */
function keyText(key: string): string | undefined {
  let text = KEY_TEXTS.get(key);
  if (text !== undefined) return text;
  if (scrubString(key) !== key) return undefined;
  text = JSON.stringify(key);
  // Bounded: keys come from requests too; past the bound they are simply not remembered.
  if (KEY_TEXTS.size < MAX_KEY_TEXTS) KEY_TEXTS.set(key, text);
  return text;
}

/** {@link scrubbed}'s value as a copy, for the rare object whose keys the scrubbing changes. */
function scrubCopy(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean' || value === null) return value;
  if (typeof value !== 'object' || depth > MAX_DEPTH) return null;
  if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((v) => scrubCopy(v, depth + 1));
  const out: Record<string, unknown> = {};
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).slice(0, MAX_ITEMS).map(scrubString).sort();
  for (const k of keys) {
    const v = record[k];
    if (v === undefined) continue;
    // defineProperty: a `__proto__` key stays a plain member instead of replacing the prototype.
    Object.defineProperty(out, k, {
      value: scrubCopy(v, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** A field value kept by {@link fields}: a scrubbed string, a boolean or a finite number. */
function fieldValue(v: unknown): string | boolean | number | undefined {
  if (typeof v === 'string') return scrubString(v);
  if (typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return v;
  return undefined;
}

/** The text of an object with only the named fields (given in RFC 8785 order), scrubbed. */
function fields<T extends object>(from: T | undefined, keys: readonly (keyof T & string)[]): string {
  let out = '{';
  if (from) {
    for (const k of keys) {
      const v = fieldValue((from as Record<string, unknown>)[k]);
      if (v !== undefined) out += `${out.length === 1 ? '' : ','}"${k}":${JSON.stringify(v)}`;
    }
  }
  return `${out}}`;
}

const code = (v: unknown): string | undefined =>
  typeof v === 'string' && SHORT_CODE.test(v) ? v : undefined;

function reasons(list: readonly AuditReason[] | undefined): string {
  if (!list) return '[]';
  const n = Math.min(list.length, MAX_ITEMS);
  let out = '[';
  for (let i = 0; i < n; i++) {
    const r = list[i]!;
    // Members in RFC 8785 order: code, detail, policyId, values.
    out += `${i === 0 ? '' : ','}{"code":${str(String(r.code))}`;
    if (typeof r.detail === 'string') out += `,"detail":${str(r.detail)}`;
    out += `,"policyId":${str(String(r.policyId))}`;
    if (r.values && typeof r.values === 'object') out += `,"values":${scrubbed(r.values)}`;
    out += '}';
  }
  return `${out}]`;
}

/** A masked destination keeps at most 4 digits in a row (`•••• 1234`): longer runs are numbers we must not keep. */
const masked = (v: unknown): string | undefined =>
  typeof v === 'string' && !/\d{5,}/.test(v) ? scrubString(v) : undefined;

const LEVELS = new Set<unknown>(['aal1', 'aal2', 'aal3']);
const IDP_ID = /^[A-Za-z0-9_-]{1,64}$/;
const CHANNELS = new Set<unknown>(['email', 'sms', 'webhook', 'dev']);

/** The text of a lifecycle event's detail, or undefined when nothing of it is kept. */
function detail(d: AuditDetail | undefined): string | undefined {
  if (!d) return undefined;
  // Members in RFC 8785 order.
  const parts: string[] = [];
  const add = (key: string, value: string | number | boolean | undefined) => {
    if (value !== undefined) parts.push(`"${key}":${JSON.stringify(value)}`);
  };
  if (Number.isFinite(d.attemptsLeft)) add('attemptsLeft', d.attemptsLeft);
  if (CHANNELS.has(d.channel)) add('channel', d.channel);
  add('contact', masked(d.contact) || undefined);
  add('failure', code(d.failure));
  if (Number.isFinite(d.failures)) add('failures', d.failures);
  if (typeof d.idp === 'string' && IDP_ID.test(d.idp)) add('idp', d.idp);
  if (typeof d.levelAboveProof === 'boolean') add('levelAboveProof', d.levelAboveProof);
  if (LEVELS.has(d.provenLevel)) add('provenLevel', d.provenLevel);
  add('reason', code(d.reason));
  if (Number.isFinite(d.resendAfter)) add('resendAfter', d.resendAfter);
  add('sentTo', masked(d.sentTo) || undefined);
  return parts.length > 0 ? `{${parts.join(',')}}` : undefined;
}

/** The columns a record is indexed by: derived from its event, and checked again by verify. */
export interface AuditIndexColumns {
  time: number;
  type: string;
  userId: string | null;
  action: string | null;
  decision: string | null;
  policyVersion: string | null;
  policies: string | null;
}

/** What the log stores of an input: the event's RFC 8785 text and its index columns. */
export interface AuditEventText {
  /** The RFC 8785 text of the {@link AuditEventBody}: what the chain hashes. */
  text: string;
  columns: AuditIndexColumns;
}

// Sorted, so the copies are built in RFC 8785 member order.
const WHO = ['apiKeyId', 'audience', 'operator', 'sessionId', 'userId'] as const;
const WHAT = ['action', 'level', 'method', 'resourceId', 'resourceType', 'transactionDigest'] as const;
const WHERE = ['country', 'deviceId', 'deviceKnown', 'ip', 'userAgent'] as const;

/** A scrubbed string or null, as an index column (what {@link indexColumns} reads back). */
const column = (v: unknown): string | null => {
  const kept = fieldValue(v);
  return kept === undefined ? null : (kept as string);
};

/**
 * Text that every stored event with report-only outcomes contains: in RFC 8785 text (no
 * whitespace, outcomes are objects) a non-empty top-level `reportOnly` array always starts so, and
 * a string value holding it is escaped (`\"reportOnly\"`). The overview counts report-only
 * outcomes by parsing only the events that contain it (a decision without any is skipped unparsed;
 * a match elsewhere is only parsed for nothing).
 */
export const REPORT_ONLY_MARK = '"reportOnly":[{';

/**
 * The stored event of a typed input, written straight as its RFC 8785 text: a field-by-field copy
 * (unknown members are dropped), with token- and key-shaped strings redacted and outcome codes
 * restricted to `[a-z0-9_.]` (S27); and the record's index columns. The one implementation of
 * what is kept: {@link buildAuditEvent} parses this text, and a property test checks the text is
 * canonical (`stepgate audit verify` recomputes the hashes with the general serializer).
 *
 * @example
 * auditEventText({ type: 'challenge.failed', who: { userId: 'u1' }, detail: { failure: 'wrong_code' } }, Date.now());
 * // { text: '{"detail":{"failure":"wrong_code"},"reasons":[],"time":"…","type":"challenge.failed","v":1,…}', columns: {…} }
 */
export function auditEventText(input: AuditInput, at: number, replayDigest?: string): AuditEventText {
  const date = new Date(at);
  const columns: AuditIndexColumns = {
    time: date.getTime(),
    type: input.type,
    userId: column(input.who?.userId),
    action: column(input.what?.action),
    decision: input.type === 'decision' && input.decision !== undefined ? input.decision : null,
    policyVersion: typeof input.policyVersion === 'string' ? scrubString(input.policyVersion) : null,
    policies: policyColumn(input.reasons),
  };
  // Top-level members in RFC 8785 order.
  let t = '{';
  const optional = (key: string, v: unknown) => {
    if (typeof v === 'string') t += `"${key}":${str(v)},`;
  };
  optional('challengeId', (input as { challengeId?: unknown }).challengeId);
  optional('decisionId', (input as { decisionId?: unknown }).decisionId);
  if (input.type === 'decision') {
    if (input.decision !== undefined) t += `"outcome":${JSON.stringify(input.decision)},`;
    optional('policyVersion', input.policyVersion);
    t += `"reasons":${reasons(input.reasons)},`;
    if (replayDigest !== undefined) t += `"replayDigest":${JSON.stringify(replayDigest)},`;
    const reportOnly = input.reportOnly;
    t += '"reportOnly":[';
    for (let i = 0; i < Math.min(reportOnly.length, MAX_ITEMS); i++) {
      const r = reportOnly[i]!;
      t += `${i === 0 ? '' : ','}{"decision":${JSON.stringify(String(r.decision))},"policyId":${str(String(r.policyId))},"reasons":${reasons(r.reasons)}}`;
    }
    t += `],"risk":{"level":${JSON.stringify(String(input.risk.level))},"score":${scrubbed(input.risk.score)}},`;
    t += `"signals":${scrubbed(input.risk.signals)},`;
  } else {
    const d = detail(input.detail);
    if (d !== undefined) t += `"detail":${d},`;
    optional('factorId', input.factorId);
    const outcome = code(input.outcome);
    if (outcome) t += `"outcome":${JSON.stringify(outcome)},`;
    optional('policyVersion', input.policyVersion);
    t += `"reasons":${reasons(input.reasons)},`;
  }
  t += `"time":${JSON.stringify(date.toISOString())},`;
  optional('tokenId', (input as { tokenId?: unknown }).tokenId);
  t += `"type":${JSON.stringify(input.type)},"v":1,"what":${fields(input.what, WHAT)},"where":${fields(input.where, WHERE)},"who":${fields(input.who, WHO)}}`;
  return { text: t, columns };
}

/** The `policies` column: `,id1,id2,` of the reasons' policies, or null. */
function policyColumn(list: readonly AuditReason[] | undefined): string | null {
  if (!list || list.length === 0) return null;
  const ids = new Set<string>();
  for (let i = 0; i < Math.min(list.length, MAX_ITEMS); i++) ids.add(scrubString(String(list[i]!.policyId)));
  return `,${[...ids].join(',')},`;
}

/**
 * Builds the stored event from a typed input ({@link auditEventText}, parsed).
 *
 * @example
 * buildAuditEvent({ type: 'challenge.failed', who: { userId: 'u1' }, detail: { failure: 'wrong_code' } }, Date.now());
 */
export function buildAuditEvent(input: AuditInput, at: number, replayDigest?: string): AuditEventBody {
  return JSON.parse(auditEventText(input, at, replayDigest).text) as AuditEventBody;
}

/**
 * The stored text of a decision's replay input: scrubbed like the record (token- and key-shaped
 * strings redacted, bounded depth and size) and canonical, with its SHA-256 (hex) for the record.
 */
export function replayText(replay: unknown): { text: string; digest: string } {
  const text = scrubbed(replay);
  return { text, digest: createHash('sha256').update(text).digest('hex') };
}

/** What an audit log stores of an input: the event's text, its index columns, its replay input. */
export interface StoredAuditRecord extends AuditIndexColumns {
  event: string;
  /** A decision's replay input (its SHA-256 is the event's `replayDigest`). */
  replay?: string;
}

/**
 * The stored form of an input, the same for both store families: a decision's replay input is
 * scrubbed and digested first, so the event carries its digest.
 */
export function storedRecord(input: AuditInput, at: number): StoredAuditRecord {
  const replay = input.type === 'decision' && input.replay ? replayText(input.replay) : undefined;
  const { text, columns } = auditEventText(input, at, replay?.digest);
  return replay ? { event: text, ...columns, replay: replay.text } : { event: text, ...columns };
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

/** The columns a record is indexed by, read back from its event (verify checks them). */
export function indexColumns(event: AuditEventBody): AuditIndexColumns {
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
