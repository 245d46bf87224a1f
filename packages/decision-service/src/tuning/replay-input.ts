/**
 * The replay input of a decision (issue 17 §1): the evaluation input as the policies saw it, kept
 * beside the decision's audit record so a backtest can run candidate policies over real history.
 * Never a code, secret or token: the step-up, identity-provider and device tokens are not read,
 * the device fingerprint is not kept (the history's `fingerprintSeen` carries what it told), and
 * transaction fields only from an allow-list (docs/audit.md "Replayable decisions").
 */
import type { CompiledPolicy, EvaluationInput, HistorySnapshot } from '@stepgate/policy-engine';
import type { DecisionRequest, RequestContext, StepUpContext } from '@stepgate/protocol';

/** Version of the stored shape; a backtest counts any other version as not replayable. */
export const REPLAY_VERSION = 1;

/** What is stored: an `EvaluationInput` with the request reduced as described above. */
export interface ReplayInput {
  v: typeof REPLAY_VERSION;
  /** Unix seconds, as the engine was given. */
  now: number;
  request: DecisionRequest;
  history: HistorySnapshot;
}

/** Replay settings (`audit.replay` in the configuration). */
export interface ReplaySettings {
  /** Record replay inputs. @defaultValue true */
  enabled: boolean;
  /** Replay inputs older than this are deleted, seconds. @defaultValue 90 days */
  retention: number;
  /**
   * Transaction fields kept, as paths under `transaction` (`amount`, `beneficiary.country`).
   * Absent: the `transaction.*` fields the loaded policies compare.
   */
  transactionFields?: readonly string[];
}

/** Defaults of {@link ReplaySettings}. */
export const REPLAY_DEFAULTS: ReplaySettings = { enabled: true, retention: 90 * 86_400 };

const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

/** The `transaction.*` paths the policies compare, without the `transaction.` prefix. */
export function policyTransactionFields(policy: CompiledPolicy): string[] {
  return Object.keys(policy.fields)
    .filter((p) => p.startsWith('transaction.'))
    .map((p) => p.slice('transaction.'.length));
}

const cache = new WeakMap<CompiledPolicy, string[]>();

/** {@link policyTransactionFields}, computed once per compiled document. */
function defaultFields(policy: CompiledPolicy): string[] {
  let fields = cache.get(policy);
  if (!fields) {
    fields = policyTransactionFields(policy);
    cache.set(policy, fields);
  }
  return fields;
}

/**
 * Copies only the listed dotted paths of an object (`amount`, `beneficiary.country`); values at
 * those paths are copied whole. Returns undefined when none is present.
 */
export function pickPaths(
  from: Record<string, unknown> | undefined,
  paths: readonly string[],
): Record<string, unknown> | undefined {
  if (!from || typeof from !== 'object') return undefined;
  let out: Record<string, unknown> | undefined;
  for (const path of paths) {
    const keys = path.split('.');
    if (keys.some((k) => k === '' || FORBIDDEN.has(k))) continue;
    let value: unknown = from;
    for (const k of keys) {
      if (value === null || typeof value !== 'object' || !Object.hasOwn(value, k)) {
        value = undefined;
        break;
      }
      value = (value as Record<string, unknown>)[k];
    }
    if (value === undefined) continue;
    out ??= {};
    let target = out;
    for (const k of keys.slice(0, -1)) {
      const next = target[k];
      if (next === null || typeof next !== 'object') target[k] = {};
      target = target[k] as Record<string, unknown>;
    }
    target[keys.at(-1)!] = value;
  }
  return out;
}

function replayContext(ctx: RequestContext | undefined): RequestContext | undefined {
  if (!ctx) return undefined;
  const out: RequestContext = {};
  if (ctx.ip !== undefined) out.ip = ctx.ip;
  if (ctx.userAgent !== undefined) out.userAgent = ctx.userAgent;
  if (ctx.geo !== undefined) out.geo = ctx.geo;
  if (ctx.device !== undefined) {
    // No deviceToken (a credential) and no fingerprint (a stable device identifier).
    const device = { v: ctx.device.v, deviceId: ctx.device.deviceId, signals: ctx.device.signals };
    out.device = device as StepUpContext;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The replay input of one evaluation.
 *
 * @example
 * replayInput({ request, now, history }, policy, settings); // { v: 1, now, request, history }
 */
export function replayInput(
  input: EvaluationInput,
  policy: CompiledPolicy,
  settings: Pick<ReplaySettings, 'transactionFields'>,
): ReplayInput {
  const r = input.request;
  const request: DecisionRequest = { subject: { ...r.subject }, action: { name: r.action.name } };
  if (r.resource !== undefined) request.resource = r.resource;
  const transaction = pickPaths(
    r.transaction as Record<string, unknown> | undefined,
    settings.transactionFields ?? defaultFields(policy),
  );
  if (transaction !== undefined) request.transaction = transaction;
  const context = replayContext(r.context);
  if (context !== undefined) request.context = context;
  return { v: REPLAY_VERSION, now: input.now, request, history: input.history };
}

/** The engine input of a stored replay input, or undefined when it is not one this version reads. */
export function evaluationInput(stored: unknown): EvaluationInput | undefined {
  if (!stored || typeof stored !== 'object') return undefined;
  const s = stored as Partial<ReplayInput>;
  if (s.v !== REPLAY_VERSION || typeof s.now !== 'number' || !s.request || !s.history) return undefined;
  return { request: s.request, now: s.now, history: s.history };
}
