import type { DecisionRequest, Level, Method } from '@stepgate/protocol';
import {
  compilePolicy,
  type EvaluationInput,
  type HistorySnapshot,
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
