import {
  decisionResponseSchema,
  enrollmentStepUpSchema,
  enrollmentTicketSchema,
  factorListSchema,
  userViewSchema,
} from '@stepgate/protocol';
import { Ajv, type Plugin, type ValidateFunction } from 'ajv';
import * as formatsModule from 'ajv-formats';

const SCHEMAS = {
  decisionResponseSchema,
  enrollmentTicketSchema,
  enrollmentStepUpSchema,
  userViewSchema,
  factorListSchema,
} as const;

/** The protocol schemas an answer of the service is checked against. */
export type AnswerSchemaName = keyof typeof SCHEMAS;

// ajv-formats is CommonJS: the plugin is `default` under Node's ESM loader, `default.default` in some interop.
const formats = (formatsModule as unknown as { default: unknown }).default;
const addFormats = (
  typeof formats === 'function' ? formats : (formats as { default: unknown }).default
) as Plugin<unknown>;

/**
 * One Ajv instance for the process. Types, enums, lengths and formats are checked strictly; members
 * the protocol does not know are removed rather than refused (`removeAdditional`), so a newer service
 * that adds a field keeps working while a wrong type or an unknown decision value still fails closed.
 */
const ajv = new Ajv({ removeAdditional: true, strict: false });
addFormats(ajv, undefined);
const compiled = new Map<AnswerSchemaName, ValidateFunction>();

/** Validates (and prunes unknown members of) an answer against its protocol schema. */
export function validateAnswer(name: AnswerSchemaName, body: unknown): boolean {
  let validate = compiled.get(name);
  if (validate === undefined) {
    validate = ajv.compile(SCHEMAS[name]);
    compiled.set(name, validate);
  }
  return validate(body) === true;
}
