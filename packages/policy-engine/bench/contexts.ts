/**
 * Seeded random contexts: a Stepgate evaluation input and the flat facts the peers receive
 * (computed once, outside any timed loop — the peers are not charged for signal computation).
 */
import type { EvaluationInput } from '../src/index.js';
import { ACTIONS } from './rules.js';

/** mulberry32: a small seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Flat facts for the peers. */
export interface Facts {
  action: string;
  amount: number;
  age: number;
  deviceNew: boolean;
  tor: boolean;
  suspended: boolean;
  office: boolean;
}

export interface BenchContext {
  input: EvaluationInput;
  facts: Facts;
}

export const NOW = 1_767_225_600;

/** `n` contexts from `seed`. */
export function makeContexts(n: number, seed: number): BenchContext[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const out: BenchContext[] = [];
  for (let i = 0; i < n; i++) {
    const action = pick(ACTIONS);
    const amount = Math.floor(rnd() ** 3 * 30000);
    const age = Math.floor(rnd() * 86400);
    const known = rnd() < 0.7;
    const ipKind = rnd();
    const tor = ipKind < 0.03;
    const office = !tor && ipKind < 0.2;
    const ip = tor
      ? `185.220.10${Math.floor(rnd() * 4)}.${Math.floor(rnd() * 256)}`
      : office
        ? `192.0.2.${Math.floor(rnd() * 256)}`
        : `198.51.100.${Math.floor(rnd() * 256)}`;
    const suspended = rnd() < 0.02;
    const input: EvaluationInput = {
      now: NOW,
      request: {
        subject: {
          id: `u${i % 1000}`,
          sessionId: `s${i}`,
          authTime: NOW - age,
          acr: 'urn:stepgate:aal1',
          roles: suspended ? ['user', 'suspended'] : ['user'],
        },
        action: { name: action },
        transaction: { amount, currency: 'EUR', payee: 'FR7630006000011234567890189' },
        context: {
          ip,
          userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36',
          device: {
            v: 1,
            deviceId: `d${i % 500}`,
            fingerprint: 'f',
            signals: { tz: 'Europe/Paris', webdriver: false },
          },
          geo: { country: 'FR', lat: 48.85, lon: 2.35 },
        },
      },
      history: {
        enrolledMethods: [
          { method: 'totp', maxLevel: 'aal2' },
          { method: 'webauthn', maxLevel: 'aal3' },
        ],
        device: { rememberedToken: known, fingerprintSeen: known, accountsOnDevice: 1 },
        last: { at: NOW - 3600, geo: { country: 'FR', lat: 45.76, lon: 4.83 } },
        recentFailures: 0,
        actionCounts: { [action]: Math.floor(rnd() * 5) },
      },
    };
    out.push({ input, facts: { action, amount, age, deviceNew: !known, tor, suspended, office } });
  }
  return out;
}
