import type { DecisionRequest, Level, Method } from '@stepgate/protocol';
import fc from 'fast-check';
import {
  compilePolicy,
  type EvaluationInput,
  type HistorySnapshot,
  type PolicyDocument,
  type PolicyRule,
  parsePolicyDocument,
} from '../src/index.js';

/** 2026-01-01T00:00:00Z. */
export const NOW = 1_767_225_600;

/** A history: the given factors, a remembered device, nothing suspicious. */
export function history(
  factors: Array<[Method, Level]> = [
    ['totp', 'aal2'],
    ['webauthn', 'aal3'],
  ],
  over: Partial<HistorySnapshot> = {},
): HistorySnapshot {
  return {
    enrolledMethods: factors.map(([method, maxLevel]) => ({ method, maxLevel })),
    device: { rememberedToken: true, fingerprintSeen: true, accountsOnDevice: 1 },
    recentFailures: 0,
    actionCounts: {},
    ...over,
  };
}

/** A well-formed Step-Up-Context. */
export const deviceContext = {
  v: 1 as const,
  deviceId: 'dev-1',
  fingerprint: 'fp-1',
  signals: { tz: 'Europe/Paris', webdriver: false },
};

/** A request for `action` by user u1 on an aal1 session authenticated 10 minutes ago. */
export function request(action: string, over: Partial<DecisionRequest> = {}): DecisionRequest {
  return {
    subject: { id: 'u1', sessionId: 's1', authTime: NOW - 600, acr: 'aal1', roles: ['user'] },
    action: { name: action },
    context: { ip: '198.51.100.7', device: deviceContext },
    ...over,
  };
}

/** An evaluation input. */
export function input(req: DecisionRequest, h: HistorySnapshot = history(), now = NOW): EvaluationInput {
  return { request: req, now, history: h };
}

/** Parses and compiles YAML. */
export function compileYaml(yaml: string, options: Parameters<typeof compilePolicy>[1] = {}) {
  return compilePolicy(parsePolicyDocument(yaml, { filename: 'test.yaml' }), options);
}

/** For property tests: a document of up to `maxRules` rules of `ruleArb` (ids `p0`, `p1`, …), either default. */
export function documentArb(
  ruleArb: fc.Arbitrary<Omit<PolicyRule, 'id'>>,
  maxRules: number,
): fc.Arbitrary<PolicyDocument> {
  return fc
    .record({
      rules: fc.array(ruleArb, { maxLength: maxRules }),
      default: fc.constantFrom('allow' as const, 'deny' as const),
    })
    .map(({ rules, default: d }) => ({ policies: rules.map((r, i) => ({ id: `p${i}`, ...r })), default: d }));
}

/**
 * For property tests: the request fields the generated requests of several tests share — an action
 * of `actions`, an amount, roles, the session's level and age, whether the device is remembered.
 */
export const requestFieldArbs = (actions: readonly string[]) => ({
  action: fc.constantFrom(...actions),
  amount: fc.integer({ min: 0, max: 30000 }),
  roles: fc.subarray(['admin', 'user']),
  acr: fc.constantFrom('aal1', 'aal2', 'aal3'),
  age: fc.integer({ min: 0, max: 5000 }),
  known: fc.boolean(),
});

/** For property tests: the fields of a generated `require` that several tests share. */
export const requirementFieldArbs = {
  level: fc.constantFrom('aal1' as const, 'aal2' as const, 'aal3' as const),
  maxAge: fc.constantFrom(0, 300, '15m'),
  methods: fc
    .subarray(['totp', 'webauthn', 'email_otp', 'biometric', 'sms_otp'] as const, { minLength: 1 })
    .map((m) => [...m]),
  bindTransaction: fc.boolean(),
};
