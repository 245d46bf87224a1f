import type { DecisionResponse, PolicyFieldsAnswer } from '@stepgate/protocol';

/** Base URL the msw unit tests intercept. */
export const SERVICE = 'http://stepgate.test';
/** An API key for unit tests. */
export const API_KEY = 'sk_test_0123456789';

/**
 * Client options that send through the global `fetch`, which msw intercepts: msw patches node:http
 * and `fetch`, not undici's `Pool`, the client's default transport. The lookup happens per call, so a
 * client created before `server.listen()` still reaches msw's patched `fetch`.
 * @example
 * createStepgate({ serviceUrl: SERVICE, apiKey: API_KEY, ...viaMsw });
 */
export const viaMsw: { fetch: typeof fetch } = {
  fetch: (input, init) => globalThis.fetch(input, init),
};

/** A well-formed `allow` answer. */
export function allowAnswer(overrides: Partial<DecisionResponse> = {}): DecisionResponse {
  return {
    decisionId: 'dec_1',
    decision: 'allow',
    reasons: [{ policyId: 'stepgate', code: 'default_allow' }],
    risk: { score: 5, level: 'low', signals: {} },
    reportOnly: [],
    policyVersion: 'v1',
    ...overrides,
  };
}

/** A well-formed `step_up` answer with challenge `chl_abc`. */
export function stepUpAnswer(): DecisionResponse {
  return allowAnswer({
    decisionId: 'dec_2',
    decision: 'step_up',
    reasons: [{ policyId: 'fresh-check', code: 'policy_matched', detail: 'transfers need a fresh check' }],
    requirement: {
      level: 'aal1',
      acr: 'urn:stepgate:aal1',
      maxAge: 0,
      methods: ['email_otp', 'totp'],
      bindTransaction: true,
      singleUse: true,
    },
    challenge: { id: 'chl_abc', expiresAt: '2030-01-01T00:00:00Z', methods: ['email_otp'] },
  });
}

/** A well-formed `deny` answer with one public and one internal-looking reason. */
export function denyAnswer(): DecisionResponse {
  return allowAnswer({
    decisionId: 'dec_3',
    decision: 'deny',
    reasons: [
      {
        policyId: 'tor-exit',
        code: 'policy_matched',
        detail: 'requests from Tor are refused',
        values: { ip: '203.0.113.9', 'risk.ip.reputation': ['tor'] },
      },
    ],
  });
}

/** The field types of the mocked policies (`GET /v1/policies/fields`): amounts are numbers. */
export function fieldsAnswer(policyVersion = 'v1'): PolicyFieldsAnswer {
  return {
    policyVersion,
    fields: {
      'transaction.amount': { type: 'number', policies: ['fresh-check'] },
      'transaction.payee': { type: 'string', policies: ['fresh-check'] },
      'transaction.note': { type: 'string', policies: ['watch'], reportOnly: true },
    },
  };
}
