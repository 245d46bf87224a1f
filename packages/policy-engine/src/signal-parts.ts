/**
 * The costly signal groups (geo-velocity, IP lists) and the weighted score, filled into a
 * signals object by signals.ts — before matching when a policy reads them, otherwise when the
 * verdict's risk is first read.
 */
import type { RiskLevel } from '@stepgate/protocol';
import { haversineKm } from './geo.js';
import { ipInRanges, parseIp } from './ip.js';
import type { RiskConfig, Signals } from './signals.js';

/** The frozen empty list (no IP list matched). */
export const EMPTY: readonly string[] = Object.freeze([]);

/** The value when it is a non-null object. */
export const obj = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
/** The value when it is a finite number. */
export const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;
const ratio = (v: number, high: number): number => (v <= 0 ? 0 : v >= high ? 1 : v / high);

function validCoords(g: Record<string, unknown> | undefined): { lat: number; lon: number } | undefined {
  if (g === undefined) return undefined;
  const lat = num(g.lat);
  const lon = num(g.lon);
  if (lat === undefined || lon === undefined || Math.abs(lat) > 90 || Math.abs(lon) > 180) return undefined;
  return { lat, lon };
}

/** Geo-velocity (haversine), impossible travel and country change against the last request. */
export function geoSignals(
  s: Signals,
  context: Record<string, unknown> | undefined,
  h: Record<string, unknown>,
  now: number,
  cfg: RiskConfig,
): void {
  const geo = obj(context?.geo);
  const last = obj(h.last);
  const lastGeo = obj(last?.geo);
  const country = typeof geo?.country === 'string' ? geo.country : undefined;
  s['geo.country'] = country;
  s['geo.countryChanged'] =
    country !== undefined && typeof lastGeo?.country === 'string' && lastGeo.country !== country;
  const here = validCoords(geo);
  const there = validCoords(lastGeo);
  const lastAt = num(last?.at);
  if (here === undefined || there === undefined || lastAt === undefined) return;
  const distanceKm = Math.round(haversineKm(here, there));
  // Geolocation is coarse: short hops are noise; a floor of one minute avoids dividing by ~0.
  const hours = Math.max(60, now - lastAt) / 3600;
  const velocityKmh = distanceKm < cfg.minTravelKm ? 0 : Math.round(distanceKm / hours);
  s['geo.distanceKm'] = distanceKm;
  s['geo.velocityKmh'] = velocityKmh;
  s['geo.impossibleTravel'] = velocityKmh > cfg.impossibleTravelKmh;
}

/** Names of the IP lists that contain `context.ip`. */
export function ipSignals(s: Signals, context: Record<string, unknown> | undefined, cfg: RiskConfig): void {
  if (cfg.lists.length === 0) return;
  const ip = parseIp(context?.ip);
  if (ip === undefined) return;
  let reputation: readonly string[] = EMPTY;
  for (const list of cfg.lists) {
    if (ipInRanges(list.ranges, ip))
      reputation = reputation === EMPTY ? [list.name] : [...reputation, list.name];
  }
  s['ip.reputation'] = reputation;
}

/** The weighted score and level from the signals. */
export function score(s: Signals, cfg: RiskConfig): void {
  const w = cfg.weights;
  let ipStrength = 0;
  for (const name of s['ip.reputation'] as readonly string[])
    ipStrength = Math.max(ipStrength, cfg.strengths.get(name) ?? 0);
  const known = s['device.known'] === true;
  const accounts = s['device.accounts'] as number;
  const age = s['session.ageSeconds'] as number | undefined;
  const velocity = s['geo.velocityKmh'] as number | undefined;
  const amount = s['transaction.amount'] as number | undefined;
  const raw =
    w.newDevice * (known ? (s['device.fingerprintSeen'] ? 0 : 0.25) : 1) +
    w.sharedDevice * (accounts <= 1 ? 0 : ratio(accounts - 1, cfg.accountsHigh - 1)) +
    w.sessionAge * (age === undefined ? 1 : ratio(age, cfg.sessionAgeHigh)) +
    w.geoVelocity * (velocity === undefined ? 0 : ratio(velocity, cfg.impossibleTravelKmh)) +
    w.countryChange * (s['geo.countryChanged'] ? 1 : 0) +
    w.ipReputation * ipStrength +
    w.automation * (s['device.automation'] ? 1 : 0) +
    w.amount * (amount === undefined ? 0 : ratio(amount, cfg.amountHigh)) +
    w.failures * ratio(s['failures.recent'] as number, cfg.failuresHigh) +
    w.actionVelocity * ratio(s['action.count'] as number, cfg.actionCountHigh);
  const value = Math.min(100, Math.round(raw));
  s.score = value;
  s.level = (value >= cfg.high ? 'high' : value >= cfg.medium ? 'medium' : 'low') satisfies RiskLevel;
}
