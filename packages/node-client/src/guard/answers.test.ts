import { type EnrollmentStepUpAnswer, parseStepUpChallenge, stepUpAnswerSchema } from '@stepgate/protocol';
import { Ajv } from 'ajv';
import * as formatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { stepUpAnswer } from './answers.js';

const formats = (formatsModule as unknown as { default: (ajv: Ajv) => void }).default;
const ajv = new Ajv({ strict: true, allErrors: true });
formats(ajv);
const validStepUpBody = ajv.compile(stepUpAnswerSchema);

const enrollmentStepUp: EnrollmentStepUpAnswer = {
  decision: 'step_up',
  requirement: {
    level: 'aal2',
    acr: 'urn:stepgate:aal2',
    maxAge: 0,
    methods: ['totp', 'webauthn'],
    bindTransaction: true,
    singleUse: true,
  },
  challenge: {
    id: 'chl_abcdefghijklmnopqrstuvwxyz012345',
    expiresAt: '2030-01-01T00:00:00.000Z',
    methods: ['totp'],
  },
};

describe('stepUpAnswer', () => {
  it('answers an enrollment step-up (S31) the way the guards answer a step_up verdict', () => {
    const url = `https://bank.example/stepgate/v1/challenges/${enrollmentStepUp.challenge.id}`;
    const answer = stepUpAnswer(enrollmentStepUp, url, 'Confirm it is you before adding a factor.');
    expect(answer.status).toBe(401);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(validStepUpBody(answer.body), JSON.stringify(validStepUpBody.errors)).toBe(true);
    expect(answer.body).toMatchObject({
      error: {
        code: 'insufficient_user_authentication',
        message: 'Confirm it is you before adding a factor.',
      },
      stepUp: { challengeId: enrollmentStepUp.challenge.id, challengeUrl: url, maxAge: 0, methods: ['totp'] },
    });
    const parsed = parseStepUpChallenge(answer.headers['www-authenticate'], answer.body);
    expect(parsed).toMatchObject({
      dialect: 'stepgate',
      acrValues: ['urn:stepgate:aal2'],
      maxAge: 0,
      challengeId: enrollmentStepUp.challenge.id,
    });
  });
});
