import { describe, expect, it } from 'vitest';
import { StepgateError } from './errors.js';
import { FIELD_TYPES, fieldValueFits, isFieldType, jsonTypeOf } from './field-types.js';

const isIp = (s: string) => /^\d+\.\d+\.\d+\.\d+$/.test(s);

describe('field types (docs/policies.md "Typed fields")', () => {
  it('a number is finite: NaN and Infinity do not fit, nor what JSON makes of NaN (null)', () => {
    expect(fieldValueFits('number', 900, isIp)).toBe(true);
    for (const v of [Number.NaN, Number.POSITIVE_INFINITY, null, '900', '900 EUR', [900], {}, true]) {
      expect(fieldValueFits('number', v, isIp), String(v)).toBe(false);
    }
  });

  it('lists fit when every element does; ip asks the given parser', () => {
    expect(fieldValueFits('string[]', [], isIp)).toBe(true);
    expect(fieldValueFits('string[]', ['a', 'b'], isIp)).toBe(true);
    expect(fieldValueFits('string[]', ['a', 1], isIp)).toBe(false);
    expect(fieldValueFits('string[]', 'a', isIp)).toBe(false);
    expect(fieldValueFits('ip', '10.0.0.1', isIp)).toBe(true);
    expect(fieldValueFits('ip', 'nope', isIp)).toBe(false);
    expect(fieldValueFits('ip[]', ['10.0.0.1', 'nope'], isIp)).toBe(false);
    expect(FIELD_TYPES.every(isFieldType)).toBe(true);
    expect(isFieldType('integer')).toBe(false);
  });

  it('names JSON types for error details', () => {
    expect([null, [], {}, 'x', 1, true, Number.NaN].map(jsonTypeOf)).toEqual([
      'null',
      'array',
      'object',
      'string',
      'number',
      'boolean',
      'non-finite number',
    ]);
  });

  it('StepgateError.toBody() carries details.invalidField as error.details, member by member', () => {
    const invalidField = {
      field: 'transaction.amount',
      policyId: 'fresh-check-for-transfers',
      expected: 'number',
      actual: 'string',
      policyVersion: 'sha256:1',
      secret: 'never copied',
    };
    const body = new StepgateError('invalid_request', 'bad amount', {
      details: { path: '/body/transaction/amount', invalidField },
    }).toBody();
    expect(body).toEqual({
      error: {
        code: 'invalid_request',
        message: 'bad amount',
        path: '/body/transaction/amount',
        details: {
          field: 'transaction.amount',
          policyId: 'fresh-check-for-transfers',
          expected: 'number',
          actual: 'string',
          policyVersion: 'sha256:1',
        },
      },
    });
    const odd = { ...invalidField, expected: 'decimal' };
    expect(
      new StepgateError('invalid_request', 'x', { details: { invalidField: odd } }).toBody().error.details,
    ).toBeUndefined();
  });
});
