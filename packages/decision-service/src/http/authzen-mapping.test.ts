import { type DecisionResponse, decisionRequestSchema, parseStepUpChallenge } from '@stepgate/protocol';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { type AuthzenRequest, toAuthzenResponse, toDecisionRequest } from './authzen-mapping.js';
import { authzenRequestSchema } from './authzen-routes.js';

const ajv = new Ajv({ strict: false });
const validDecisionRequest = ajv.compile(decisionRequestSchema);
const validAuthzenRequest = ajv.compile(authzenRequestSchema);
/** The response shape of AuthZEN 1.0 §6.2: a boolean decision; context an object whose reasons are Reason Objects. */
const validAuthzenResponse = ajv.compile({
  type: 'object',
  required: ['decision'],
  properties: {
    decision: { type: 'boolean' },
    context: {
      type: 'object',
      required: ['id'],
      properties: {
        id: { type: 'string' },
        reason_admin: { type: 'object', additionalProperties: { type: 'string' } },
        reason_user: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
  },
});

// AuthZEN 1.0 §6.1 "Example Request" and §5.1.1 "Example Subject with Device ID", verbatim.
const specRequest = {
  subject: { type: 'user', id: 'alice@acmecorp.com' },
  resource: { type: 'account', id: '123' },
  action: { name: 'can_read', properties: { method: 'GET' } },
  context: { time: '1985-10-26T01:22-07:00' },
};
const specSubjectWithDevice = {
  type: 'user',
  id: 'alice@acmecorp.com',
  properties: { department: 'Sales', ip_address: '172.217.22.14', device_id: '8:65:ee:17:7e:0b' },
};
// §5.2 "Example Resource with Additional Property".
const specResource = {
  type: 'book',
  id: '123',
  properties: { library_record: { title: 'AuthZEN in Action', isbn: '978-0593383322' } },
};

const answer = (over: Partial<DecisionResponse>): DecisionResponse => ({
  decisionId: 'dec_x',
  decision: 'allow',
  reasons: [{ policyId: 'p1', code: 'policy_matched', detail: 'amount > 1000' }],
  risk: { score: 10, level: 'low', signals: {} },
  reportOnly: [],
  policyVersion: 'pv1',
  ...over,
});

describe('AuthZEN 1.0 mapping', () => {
  it('accepts the spec’s example requests and maps them to valid decision requests', () => {
    for (const req of [
      specRequest,
      { ...specRequest, subject: specSubjectWithDevice, resource: specResource },
    ]) {
      expect(validAuthzenRequest(req)).toBe(true);
      const mapped = toDecisionRequest(req as AuthzenRequest);
      expect(validDecisionRequest(mapped)).toBe(true);
      expect(mapped.subject.id).toBe('alice@acmecorp.com');
    }
    const mapped = toDecisionRequest({
      ...specRequest,
      subject: specSubjectWithDevice,
      resource: specResource,
    });
    expect(mapped.context?.ip).toBe('172.217.22.14');
    expect(mapped.resource).toEqual({ type: 'book', id: '123', attributes: specResource.properties });
    expect(mapped.action).toEqual({ name: 'can_read' });
  });

  it('rejects members the request does not define, and missing required members', () => {
    expect(validAuthzenRequest({ ...specRequest, evaluations: [] })).toBe(false);
    expect(validAuthzenRequest({ subject: specRequest.subject, action: specRequest.action })).toBe(false);
    expect(validAuthzenRequest({ ...specRequest, subject: { type: 'user' } })).toBe(false);
  });

  it('maps Stepgate members: session, acr, transaction, step-up token; wrong types fail the decision schema', () => {
    const mapped = toDecisionRequest({
      subject: {
        type: 'user',
        id: 'u1',
        properties: { session_id: 's1', auth_time: 1_700_000_000, acr: 'aal1' },
      },
      action: { name: 'payments.transfer', properties: { transaction: { amount: 5000, payee: 'ACME' } } },
      resource: { type: 'account', id: 'acc-1' },
      context: { step_up_token: 'a.b.c', user_agent: 'curl' },
    });
    expect(mapped).toMatchObject({
      subject: { id: 'u1', sessionId: 's1', authTime: 1_700_000_000, acr: 'aal1' },
      transaction: { amount: 5000, payee: 'ACME' },
      stepUpToken: 'a.b.c',
      context: { userAgent: 'curl' },
    });
    expect(validDecisionRequest(mapped)).toBe(true);
    const wrong = toDecisionRequest({
      ...specRequest,
      subject: { type: 'user', id: 'u1', properties: { session_id: 7 } },
    });
    expect(validDecisionRequest(wrong)).toBe(false);
  });

  it('S24: maps the subject property methods (what proved the session) and checks its names', () => {
    const mapped = toDecisionRequest({
      ...specRequest,
      subject: { type: 'user', id: 'u1', properties: { acr: 'aal2', methods: ['webauthn'] } },
    });
    expect(mapped.subject).toEqual({ id: 'u1', acr: 'aal2', methods: ['webauthn'] });
    expect(validDecisionRequest(mapped)).toBe(true);
    const unknown = toDecisionRequest({
      ...specRequest,
      subject: { type: 'user', id: 'u1', properties: { methods: ['passkey'] } },
    });
    expect(validDecisionRequest(unknown)).toBe(false);
  });

  it('answers allow as decision true; deny and step_up as false, with the step-up in context', () => {
    const allow = toAuthzenResponse(answer({}));
    expect(allow).toMatchObject({ decision: true, context: { id: 'dec_x', decision: 'allow' } });
    expect(validAuthzenResponse(allow)).toBe(true);
    const deny = toAuthzenResponse(answer({ decision: 'deny' }));
    expect(deny.decision).toBe(false);
    expect(validAuthzenResponse(deny)).toBe(true);
    const stepUp = toAuthzenResponse(
      answer({
        decision: 'step_up',
        requirement: {
          level: 'aal2',
          acr: 'urn:stepgate:aal2',
          maxAge: 0,
          methods: ['totp'],
          bindTransaction: true,
          singleUse: true,
        },
        challenge: { id: 'chl_abc', expiresAt: '2030-01-01T00:05:00.000Z', methods: ['totp'] },
      }),
    );
    expect(validAuthzenResponse(stepUp)).toBe(true);
    expect(stepUp).toMatchObject({
      decision: false,
      context: {
        decision: 'step_up',
        step_up: {
          acr: 'urn:stepgate:aal2',
          acr_values: ['urn:stepgate:aal2'],
          max_age: 0,
          challenge_id: 'chl_abc',
          methods: ['totp'],
        },
      },
    });
    const header = (stepUp.context.step_up as { www_authenticate: string }).www_authenticate;
    expect(parseStepUpChallenge(header)).toMatchObject({
      dialect: 'stepgate',
      challengeId: 'chl_abc',
      maxAge: 0,
    });
  });

  it('a step-up only an identity provider performs carries its acr values and authorization parameters (issue 21)', () => {
    const provider = {
      performer: 'idp:corp' as const,
      name: 'Corp SSO',
      issuer: 'https://login.example.com',
      authorizationEndpoint: 'https://login.example.com/authorize',
      params: {
        client_id: 'app',
        response_type: 'code',
        scope: 'openid',
        acr_values: 'urn:corp:mfa',
        claims: '{}',
        nonce: 'n',
      },
      expiresAt: '2030-01-01T00:05:00.000Z',
    };
    const stepUp = toAuthzenResponse(
      answer({
        decision: 'step_up',
        requirement: {
          level: 'aal2',
          acr: 'urn:stepgate:aal2',
          maxAge: 0,
          methods: [],
          bindTransaction: true,
          singleUse: true,
          performers: ['idp:corp'],
        },
        providers: [provider],
      }),
    );
    expect(validAuthzenResponse(stepUp)).toBe(true);
    expect(stepUp.context.step_up).toMatchObject({
      acr_values: ['urn:corp:mfa'],
      methods: [],
      providers: [provider],
    });
    expect(stepUp.context.step_up).not.toHaveProperty('challenge_id');
    const header = (stepUp.context.step_up as { www_authenticate: string }).www_authenticate;
    expect(parseStepUpChallenge(header)).toMatchObject({
      dialect: 'rfc9470',
      acrValues: ['urn:corp:mfa'],
      maxAge: 0,
    });
  });
});
