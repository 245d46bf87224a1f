/**
 * Risk signals from the request plus the history snapshot, and the weighted score
 * (docs/policies.md "Risk"). Client-supplied signals can only raise risk; only a remembered-device
 * token the service verified for this user makes a device known (S25).
 */
import type { DecisionRequest } from '@stepgate/protocol';
import type { RangeSet } from './ip.js';
import { EMPTY, geoSignals, ipSignals, num, obj, score } from './signal-parts.js';
import type { HistorySnapshot, RiskWeightName } from './types.js';

/** Signal names, readable in conditions as `risk.<name>` and reported in `risk.signals`. */
export const SIGNAL_NAMES: ReadonlySet<string> = new Set([
  'score',
  'level',
  'session.ageSeconds',
  'device.known',
  'device.new',
  'device.contextPresent',
  'device.fingerprintSeen',
  'device.accounts',
  'device.automation',
  'device.webview',
  'geo.country',
  'geo.countryChanged',
  'geo.distanceKm',
  'geo.velocityKmh',
  'geo.impossibleTravel',
  'ip.reputation',
  'failures.recent',
  'action.count',
  'transaction.amount',
]);

/** Normalised risk settings. */
export interface RiskConfig {
  readonly weights: Readonly<Record<RiskWeightName, number>>;
  readonly medium: number;
  readonly high: number;
  readonly impossibleTravelKmh: number;
  readonly minTravelKm: number;
  readonly sessionAgeHigh: number;
  readonly amountHigh: number;
  readonly failuresHigh: number;
  readonly actionCountHigh: number;
  readonly accountsHigh: number;
  /** Named lists in a fixed order, with their range sets and reputation strengths. */
  readonly lists: ReadonlyArray<{
    readonly name: string;
    readonly ranges: RangeSet;
    readonly strength: number;
  }>;
  /** Signal groups policies read (GROUP_BITS): computed before matching; the rest only for the verdict's risk. */
  readonly eager: number;
  /** Strength of each list by name, for the score. */
  readonly strengths: ReadonlyMap<string, number>;
}

/** Default weights: points each signal adds at full strength. */
export const DEFAULT_RISK_WEIGHTS: Readonly<Record<RiskWeightName, number>> = Object.freeze({
  newDevice: 20,
  sharedDevice: 10,
  sessionAge: 10,
  geoVelocity: 35,
  countryChange: 15,
  ipReputation: 30,
  automation: 40,
  amount: 10,
  failures: 25,
  actionVelocity: 10,
});

/** The signals of one request; keys are the signal names. */
export type Signals = Record<string, unknown>;

const hasOwn = Object.prototype.hasOwnProperty;

/** Signal groups, computed together. */
export type SignalGroup = 'device' | 'client' | 'session' | 'history' | 'tx' | 'geo' | 'ip' | 'score';

/** The group of a signal name. */
export function signalGroup(name: string): SignalGroup {
  if (name === 'score' || name === 'level') return 'score';
  if (name === 'failures.recent' || name === 'action.count') return 'history';
  if (name === 'transaction.amount') return 'tx';
  if (name === 'device.automation' || name === 'device.webview') return 'client';
  return name.slice(0, name.indexOf('.')) as SignalGroup;
}

/**
 * Computes the signal groups in `groups` (by default every group a policy of the document reads;
 * `evaluate` passes only those the candidate policies of the action read), with every other signal
 * left at its default until `completeSignals` fills it in for the verdict's risk. Never throws on malformed
 * request or history members: anything missing counts as unknown, which never lowers risk.
 */
export function computeSignals(
  request: DecisionRequest,
  actionName: string,
  now: number,
  history: HistorySnapshot,
  cfg: RiskConfig,
  groups: number = cfg.eager,
): Signals {
  const s: Signals = {
    score: undefined,
    level: undefined,
    'session.ageSeconds': undefined,
    'device.known': false,
    'device.new': true,
    'device.contextPresent': false,
    'device.fingerprintSeen': false,
    'device.accounts': 0,
    'device.automation': false,
    'device.webview': undefined,
    'geo.country': undefined,
    'geo.countryChanged': false,
    'geo.distanceKm': undefined,
    'geo.velocityKmh': undefined,
    'geo.impossibleTravel': false,
    'ip.reputation': EMPTY,
    'failures.recent': 0,
    'action.count': 0,
    'transaction.amount': undefined,
  };
  fill(s, groups, request, actionName, now, history, cfg);
  return s;
}

/** Computes the groups in `mask` (bit per group, see GROUP_BITS). */
function fill(
  s: Signals,
  mask: number,
  request: DecisionRequest,
  actionName: string,
  now: number,
  history: HistorySnapshot,
  cfg: RiskConfig,
): void {
  if (mask === 0) return;
  const r = request as unknown as Record<string, unknown>;
  const h = (obj(history) ?? {}) as Record<string, unknown>;
  const context = obj(r.context);
  if (mask & GROUP_BITS.device) {
    const device = obj(context?.device);
    const deviceSignals = obj(device?.signals);
    const hDevice = obj(h.device);
    const contextPresent =
      device !== undefined &&
      device.v === 1 &&
      typeof device.deviceId === 'string' &&
      typeof device.fingerprint === 'string' &&
      deviceSignals !== undefined;
    // S25: only the service-verified remembered-device token makes a device known.
    const known = contextPresent && hDevice?.rememberedToken === true;
    s['device.known'] = known;
    s['device.new'] = !known;
    s['device.contextPresent'] = contextPresent;
    s['device.fingerprintSeen'] = contextPresent && hDevice?.fingerprintSeen === true;
    s['device.accounts'] = num(hDevice?.accountsOnDevice) ?? 0;
  }
  if (mask & GROUP_BITS.client) {
    const deviceSignals = obj(obj(context?.device)?.signals);
    const ua = context?.userAgent;
    s['device.automation'] =
      deviceSignals?.webdriver === true || (typeof ua === 'string' && ua.indexOf('Headless') >= 0);
    s['device.webview'] = typeof deviceSignals?.webview === 'string' ? deviceSignals.webview : undefined;
  }
  if (mask & GROUP_BITS.session) {
    const authTime = num(obj(r.subject)?.authTime);
    s['session.ageSeconds'] = authTime === undefined ? undefined : Math.max(0, now - authTime);
  }
  if (mask & GROUP_BITS.history) {
    const counts = obj(h.actionCounts);
    s['failures.recent'] = num(h.recentFailures) ?? 0;
    s['action.count'] =
      (counts !== undefined && hasOwn.call(counts, actionName) && num(counts[actionName])) || 0;
  }
  if (mask & GROUP_BITS.tx) s['transaction.amount'] = num(obj(r.transaction)?.amount);
  if (mask & GROUP_BITS.geo) geoSignals(s, context, h, now, cfg);
  if (mask & GROUP_BITS.ip) ipSignals(s, context, cfg);
  if (mask & GROUP_BITS.score) score(s, cfg);
}

/** One bit per signal group. */
export const GROUP_BITS: Readonly<Record<SignalGroup, number>> = Object.freeze({
  device: 1,
  session: 2,
  history: 4,
  tx: 8,
  geo: 16,
  ip: 32,
  client: 64,
  score: 128,
});

/** Every group but the score: what the score is computed from. */
export const DATA_GROUPS = 127;

/**
 * Fills in the signals `computeSignals` left out (`done`: the groups it computed), and the score —
 * for the verdict's risk.
 */
export function completeSignals(
  s: Signals,
  request: DecisionRequest,
  actionName: string,
  now: number,
  history: HistorySnapshot,
  cfg: RiskConfig,
  done: number = cfg.eager,
): void {
  if (done & GROUP_BITS.score) return;
  fill(s, DATA_GROUPS & ~done, request, actionName, now, history, cfg);
  score(s, cfg);
}
