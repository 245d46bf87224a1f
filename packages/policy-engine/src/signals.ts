/**
 * Risk signals from the request plus the history snapshot, and the weighted score
 * (docs/policies.md "Risk"). Client-supplied signals can only raise risk; only a remembered-device
 * token the service verified for this user makes a device known (S25).
 */
import type { DecisionRequest, RiskLevel } from '@stepgate/protocol';
import { haversineKm } from './geo.js';
import { ipInRanges, parseIp, type RangeSet } from './ip.js';
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
  /** Compute geo signals (a policy reads them or their weight is not zero). */
  readonly needGeo: boolean;
  /** Compute IP reputation. */
  readonly needIp: boolean;
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

const EMPTY: readonly string[] = Object.freeze([]);
const hasOwn = Object.prototype.hasOwnProperty;

const obj = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const ratio = (v: number, high: number): number => (v <= 0 ? 0 : v >= high ? 1 : v / high);

function validCoords(g: Record<string, unknown> | undefined): { lat: number; lon: number } | undefined {
  if (g === undefined) return undefined;
  const lat = num(g.lat);
  const lon = num(g.lon);
  if (lat === undefined || lon === undefined || Math.abs(lat) > 90 || Math.abs(lon) > 180) return undefined;
  return { lat, lon };
}

/**
 * Computes every signal and the score. Never throws on malformed request or history members:
 * anything missing counts as unknown, which never lowers risk.
 */
export function computeSignals(
  request: DecisionRequest,
  actionName: string,
  now: number,
  history: HistorySnapshot,
  cfg: RiskConfig,
): Signals {
  const r = request as unknown as Record<string, unknown>;
  const h = (obj(history) ?? {}) as Record<string, unknown>;
  const subject = obj(r.subject);
  const context = obj(r.context);
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
  const fingerprintSeen = contextPresent && hDevice?.fingerprintSeen === true;
  const accounts = num(hDevice?.accountsOnDevice) ?? 0;
  const ua = context?.userAgent;
  const automation =
    deviceSignals?.webdriver === true || (typeof ua === 'string' && ua.indexOf('Headless') >= 0);
  const authTime = num(subject?.authTime);
  const ageSeconds = authTime === undefined ? undefined : Math.max(0, now - authTime);
  const failures = num(h.recentFailures) ?? 0;
  const counts = obj(h.actionCounts);
  const actionCount =
    (counts !== undefined && hasOwn.call(counts, actionName) && num(counts[actionName])) || 0;
  const tx = obj(r.transaction);
  const amount = num(tx?.amount);

  let country: string | undefined;
  let countryChanged = false;
  let distanceKm: number | undefined;
  let velocityKmh: number | undefined;
  if (cfg.needGeo) {
    const geo = obj(context?.geo);
    const last = obj(h.last);
    const lastGeo = obj(last?.geo);
    country = typeof geo?.country === 'string' ? geo.country : undefined;
    countryChanged =
      country !== undefined && typeof lastGeo?.country === 'string' && lastGeo.country !== country;
    const here = validCoords(geo);
    const there = validCoords(lastGeo);
    const lastAt = num(last?.at);
    if (here !== undefined && there !== undefined && lastAt !== undefined) {
      distanceKm = Math.round(haversineKm(here, there));
      // Geolocation is coarse: short hops are noise; a floor of one minute avoids dividing by ~0.
      const hours = Math.max(60, now - lastAt) / 3600;
      velocityKmh = distanceKm < cfg.minTravelKm ? 0 : Math.round(distanceKm / hours);
    }
  }
  const impossibleTravel = velocityKmh !== undefined && velocityKmh > cfg.impossibleTravelKmh;

  let reputation: readonly string[] = EMPTY;
  let ipStrength = 0;
  if (cfg.needIp && cfg.lists.length > 0) {
    const ip = parseIp(context?.ip);
    if (ip !== undefined) {
      for (const list of cfg.lists) {
        if (!ipInRanges(list.ranges, ip)) continue;
        reputation = reputation === EMPTY ? [list.name] : [...reputation, list.name];
        if (list.strength > ipStrength) ipStrength = list.strength;
      }
    }
  }

  const w = cfg.weights;
  const raw =
    w.newDevice * (known ? (fingerprintSeen ? 0 : 0.25) : 1) +
    w.sharedDevice * (accounts <= 1 ? 0 : ratio(accounts - 1, cfg.accountsHigh - 1)) +
    w.sessionAge * (ageSeconds === undefined ? 1 : ratio(ageSeconds, cfg.sessionAgeHigh)) +
    w.geoVelocity * (velocityKmh === undefined ? 0 : ratio(velocityKmh, cfg.impossibleTravelKmh)) +
    w.countryChange * (countryChanged ? 1 : 0) +
    w.ipReputation * ipStrength +
    w.automation * (automation ? 1 : 0) +
    w.amount * (amount === undefined ? 0 : ratio(amount, cfg.amountHigh)) +
    w.failures * ratio(failures, cfg.failuresHigh) +
    w.actionVelocity * ratio(actionCount, cfg.actionCountHigh);
  const score = Math.min(100, Math.round(raw));
  const level: RiskLevel = score >= cfg.high ? 'high' : score >= cfg.medium ? 'medium' : 'low';
  return {
    score,
    level,
    'session.ageSeconds': ageSeconds,
    'device.known': known,
    'device.new': !known,
    'device.contextPresent': contextPresent,
    'device.fingerprintSeen': fingerprintSeen,
    'device.accounts': accounts,
    'device.automation': automation,
    'device.webview': typeof deviceSignals?.webview === 'string' ? deviceSignals.webview : undefined,
    'geo.country': country,
    'geo.countryChanged': countryChanged,
    'geo.distanceKm': distanceKm,
    'geo.velocityKmh': velocityKmh,
    'geo.impossibleTravel': impossibleTravel,
    'ip.reputation': reputation,
    'failures.recent': failures,
    'action.count': actionCount,
    'transaction.amount': amount,
  };
}
