import * as ajvModule from 'ajv';
import * as ajv2020Module from 'ajv/dist/2020.js';
import * as formatsModule from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  challengeViewArb,
  contextArb,
  decisionRequestArb,
  decisionResponseArb,
  enrollmentViewArb,
  errorBodyArb,
  factorViewArb,
  stepUpAnswerArb,
  tokenClaimsArb,
  userUpsertArb,
  verifyAnswerArb,
  verifyRequestArb,
} from '../test/arbitraries.js';
import { invalidExamples, validExamples } from '../test/schema-examples.js';
import { type SchemaName, schemas } from './schemas.js';

type Validator = ((data: unknown) => boolean) & { errors?: unknown };
interface AjvLike {
  compile(schema: object): Validator;
}
type AjvClass = new (options: object) => AjvLike;
// ajv and ajv-formats are CommonJS: take the class or function wherever this loader put it.
const pick = <T>(mod: object, name: string): T => {
  const m = mod as Record<string, unknown>;
  const d = m.default as Record<string, unknown> | undefined;
  return (m[name] ?? d?.[name] ?? d?.default ?? d) as T;
};
const Ajv = pick<AjvClass>(ajvModule, 'Ajv');
const Ajv2020 = pick<AjvClass>(ajv2020Module, 'Ajv2020');
const addFormats = pick<(ajv: AjvLike) => AjvLike>(formatsModule, 'formatsPlugin');

const flavours: Array<[string, AjvClass]> = [
  ['draft-07', Ajv],
  ['2020-12', Ajv2020],
];

function compileAll(Flavour: AjvClass): Record<SchemaName, Validator> {
  // Strict mode: unknown keywords, formats and ambiguous types are compile errors.
  const ajv = addFormats(new Flavour({ strict: true, allErrors: true }));
  return Object.fromEntries(Object.entries(schemas).map(([name, s]) => [name, ajv.compile(s)])) as Record<
    SchemaName,
    Validator
  >;
}

describe('JSON Schemas', () => {
  it('names every schema by its $id, with no $schema and no $ref anywhere', () => {
    for (const [name, schema] of Object.entries(schemas)) {
      expect(schema.$id).toBe(`https://stepgate.dev/schemas/${name}.json`);
      const text = JSON.stringify(schema);
      expect(text).not.toContain('"$schema"');
      expect(text).not.toContain('"$ref"');
    }
  });

  it('bounds every string and array, and closes every object but the open maps', () => {
    const walk = (node: unknown, path: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const s = node as Record<string, unknown>;
      const types = ([] as unknown[]).concat(s.type ?? []);
      if (types.includes('string') && s.const === undefined && s.enum === undefined) {
        expect(s.maxLength, `${path} maxLength`).toBeTypeOf('number');
      }
      if (types.includes('array')) expect(s.maxItems, `${path} maxItems`).toBeTypeOf('number');
      if (types.includes('object')) {
        expect(
          s.additionalProperties === false || typeof s.maxProperties === 'number',
          `${path} closed`,
        ).toBe(true);
      }
      for (const [key, child] of Object.entries(s)) walk(child, `${path}/${key}`);
    };
    for (const [name, schema] of Object.entries(schemas)) walk(schema, name);
  });

  for (const [flavour, Flavour] of flavours) {
    describe(`under Ajv ${flavour}`, () => {
      const validators = compileAll(Flavour);

      it('accepts the valid example of every schema', () => {
        for (const [name, example] of Object.entries(validExamples)) {
          const validate = validators[name as SchemaName];
          expect(validate(example), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
        }
      });

      it('S30: rejects typical bad bodies', () => {
        for (const [name, bad] of Object.entries(invalidExamples)) {
          for (const example of bad ?? []) {
            expect(validators[name as SchemaName](example), `${name}: ${JSON.stringify(example)}`).toBe(
              false,
            );
          }
        }
      });

      it('property: values generated from the TypeScript types validate', () => {
        const cases: Array<[SchemaName, fc.Arbitrary<unknown>]> = [
          ['decisionRequest', decisionRequestArb],
          ['decisionResponse', decisionResponseArb],
          ['stepUpAnswer', stepUpAnswerArb],
          ['errorBody', errorBodyArb],
          ['stepUpContext', contextArb],
          ['challengeView', challengeViewArb],
          ['verifyRequest', verifyRequestArb],
          ['verifyAnswer', verifyAnswerArb],
          ['factorView', factorViewArb],
          ['enrollmentView', enrollmentViewArb],
          ['userUpsertRequest', userUpsertArb],
          ['stepUpTokenClaims', tokenClaimsArb],
        ];
        for (const [name, arbitrary] of cases) {
          fc.assert(
            fc.property(arbitrary, (value) => {
              const validate = validators[name];
              expect(validate(value), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
            }),
            { numRuns: 60 },
          );
        }
      });
    });
  }

  it("validates every valid example under Fastify's default Ajv options (removeAdditional, coerceTypes)", () => {
    // @fastify/ajv-compiler: { coerceTypes: 'array', useDefaults: true, removeAdditional: true, allErrors: false }
    const ajv = addFormats(
      new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: true, allErrors: false }),
    );
    const bodies: Array<[SchemaName, unknown]> = [
      ...Object.entries(validExamples).map(([name, v]) => [name as SchemaName, v] as [SchemaName, unknown]),
      ['verifyRequest', { method: 'webauthn', response: { id: 'cred', type: 'public-key' } }],
      ['verifyRequest', { method: 'biometric', deviceKey: { keyId: 'k_1', signature: 'MEUCIQ' } }],
      ['startAnswer', { publicKey: { challenge: 'abc' } }],
      ['startAnswer', {}],
    ];
    for (const [name, body] of bodies) {
      const copy = structuredClone(body);
      const validate = ajv.compile(schemas[name]);
      expect(validate(copy), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(copy, `${name} left intact`).toEqual(body);
    }
    const verify = ajv.compile(schemas.verifyRequest);
    expect(verify({ method: 'totp', code: '123456', response: {} })).toBe(false);
    expect(verify({ method: 'biometric', response: {}, deviceKey: { keyId: 'k', signature: 'AA' } })).toBe(
      false,
    );
  });
});
