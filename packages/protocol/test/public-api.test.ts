// Through the public entry point only: what another package sees of @stepgate/protocol.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as protocol from '../src/index.js';
import {
  decisionRequestSchema,
  decodeStepUpContext,
  encodeStepUpContext,
  formatStepUpChallenge,
  HEADERS,
  MAX_CONTEXT_HEADER_BYTES,
  parseStepUpChallenge,
  type StepUpAnswerBody,
  schemas,
  transactionDigest,
} from '../src/index.js';

describe('@stepgate/protocol public API', () => {
  it('exports exactly the documented names (README "API" table)', () => {
    expect(Object.keys(protocol).sort()).toEqual(
      [
        'AMR_VALUES',
        'CLERK_PRESETS',
        'CONTEXT_LIMITS',
        'DECISIONS',
        'DEFAULT_ACR_VALUES',
        'DEVICE_TOKEN_TYPE',
        'ERROR_CODES',
        'HEADERS',
        'IDP_ID_PATTERN',
        'INSUFFICIENT_USER_AUTHENTICATION',
        'LEVELS',
        'MAX_CANONICAL_DEPTH',
        'MAX_CONTEXT_HEADER_BYTES',
        'METHODS',
        'SCHEMA_LIMITS',
        'SIGNAL_NAMES',
        'STEPGATE_PERFORMER',
        'STEP_UP_AUTHORIZATION_TYPE',
        'STEP_UP_CHALLENGE_PARAM',
        'STEP_UP_TOKEN_TYPE',
        'StepgateError',
        'acrFromLevel',
        'canonicalJson',
        'compareLevels',
        'decodeBase64Url',
        'decodeStepUpContext',
        'encodeBase64Url',
        'encodeStepUpContext',
        'FIELD_TYPES',
        'fieldValueFits',
        'formatStepUpChallenge',
        'idpIdOf',
        'isErrorCode',
        'isFieldType',
        'jsonTypeOf',
        'isLevel',
        'isMethod',
        'isPerformer',
        'isToken',
        'levelAtLeast',
        'levelFromAcr',
        'maxLevel',
        'newIdempotencyKey',
        'parseAuthenticateHeader',
        'parseStepUpChallenge',
        'providerLevel',
        'providerMethods',
        'quoteString',
        'readProviderStepUps',
        'readStepUpContext',
        'readStepUpInfo',
        'schemas',
        'statusForErrorCode',
        'transactionDigest',
        ...Object.keys(protocol.schemas).map((name) => `${name}Schema`),
      ].sort(),
    );
  });

  it('runs the step-up answer a guarded route sends, as a browser would read it', async () => {
    const digest = await transactionDigest({ action: 'payments.transfer', transaction: { amount: 12000 } });
    expect(digest).toBe(
      createHash('sha256')
        .update('{"action":"payments.transfer","transaction":{"amount":12000}}')
        .digest('base64url'),
    );
    const header = formatStepUpChallenge({ acr: 'urn:stepgate:aal2', maxAge: 0, challengeId: 'chl_1' });
    const body: StepUpAnswerBody = {
      error: { code: 'insufficient_user_authentication', message: 'Step up' },
      stepUp: {
        challengeId: 'chl_1',
        challengeUrl: 'https://bank.example/stepgate/v1/challenges/chl_1',
        acr: 'urn:stepgate:aal2',
        maxAge: 0,
        methods: ['totp'],
        expiresAt: '2026-11-28T12:00:00Z',
      },
    };
    const parsed = parseStepUpChallenge(`Basic realm="bank", ${header}`, JSON.stringify(body));
    expect(parsed).toMatchObject({
      dialect: 'stepgate',
      challengeId: 'chl_1',
      maxAge: 0,
      stepUp: body.stepUp,
    });
    expect(schemas.stepUpAnswer.$id).toMatch(/stepUpAnswer\.json$/);
  });

  it('carries the context header from the browser to a decision request', () => {
    const value = encodeStepUpContext({
      v: 1,
      deviceId: 'dev_1',
      fingerprint: 'fp',
      signals: { webdriver: true },
    });
    expect(value.length).toBeLessThanOrEqual(MAX_CONTEXT_HEADER_BYTES);
    const headers = new Headers({ [HEADERS.context]: value });
    const device = decodeStepUpContext(headers.get('step-up-context'));
    expect(device?.signals.webdriver).toBe(true);
    expect(Object.keys(decisionRequestSchema.properties.context.properties)).toContain('device');
  });
});
