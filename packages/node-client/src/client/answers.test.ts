import { describe, expect, it } from 'vitest';
import { allowAnswer, stepUpAnswer } from '../../test/support/fixtures.js';
import { parseDecisionResponse, parseEnrollmentAnswer } from './answers.js';

describe('answer validation (protocol JSON Schemas + semantic checks)', () => {
  it('accepts well-formed allow and step_up answers', () => {
    expect(parseDecisionResponse(allowAnswer())?.decision).toBe('allow');
    expect(parseDecisionResponse(stepUpAnswer())?.challenge?.id).toBe('chl_abc');
  });

  it('drops members the protocol does not know instead of failing (a newer service adds a field)', () => {
    const parsed = parseDecisionResponse({ ...allowAnswer(), futureField: { x: 1 } });
    expect(parsed?.decision).toBe('allow');
    expect(parsed).not.toHaveProperty('futureField');
  });

  const malformed: Array<[string, unknown]> = [
    ['an unknown decision value', { ...allowAnswer(), decision: 'maybe' }],
    [
      'a risk score of the wrong type',
      { ...allowAnswer(), risk: { score: 'high', level: 'low', signals: {} } },
    ],
    ['a risk score out of range', { ...allowAnswer(), risk: { score: 101, level: 'low', signals: {} } }],
    ['a missing policyVersion', { ...allowAnswer(), policyVersion: undefined }],
    [
      'a challenge expiry that is not a date-time',
      { ...stepUpAnswer(), challenge: { id: 'c', expiresAt: 'soon', methods: ['totp'] } },
    ],
    [
      'an unknown method',
      {
        ...stepUpAnswer(),
        challenge: { id: 'c', expiresAt: '2030-01-01T00:00:00Z', methods: ['carrier_pigeon'] },
      },
    ],
    ['a step_up without requirement', { ...stepUpAnswer(), requirement: undefined }],
    ['null', null],
  ];
  for (const [name, body] of malformed) {
    it(`S20: refuses ${name}`, () => {
      expect(parseDecisionResponse(JSON.parse(JSON.stringify(body ?? null)))).toBeUndefined();
    });
  }

  it('refuses an enrollment answer that is neither a ticket nor a step-up', () => {
    expect(parseEnrollmentAnswer({ ticket: 'enr_1', expiresAt: '2030-01-01T00:00:00Z' })).toBeDefined();
    expect(parseEnrollmentAnswer({ ticket: 'enr_1' })).toBeUndefined();
    expect(parseEnrollmentAnswer({ decision: 'allow' })).toBeUndefined();
  });
});
