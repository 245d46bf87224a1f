import {
  decisionRequestSchema,
  decisionResponseSchema,
  enrollmentRequestSchema,
  enrollmentStepUpSchema,
  enrollmentTicketSchema,
  errorBodySchema,
  factorListSchema,
  factorViewSchema,
  feedbackRequestSchema,
  policyFieldsSchema,
  userDeletedSchema,
  userDeletionRequestSchema,
  userUpsertRequestSchema,
  userViewSchema,
} from '@stepgate/protocol';
import { Ajv, type Plugin, type ValidateFunction } from 'ajv';
import * as formatsModule from 'ajv-formats';
import { StepgateClientError } from '../errors.js';

const SCHEMAS = {
  decisionResponseSchema,
  errorBodySchema,
  policyFieldsSchema,
  enrollmentTicketSchema,
  enrollmentStepUpSchema,
  userViewSchema,
  factorListSchema,
  factorViewSchema,
  userDeletedSchema,
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

const REQUEST_SCHEMAS = {
  decisionRequestSchema,
  enrollmentRequestSchema,
  feedbackRequestSchema,
  userDeletionRequestSchema,
  userUpsertRequestSchema,
} as const;

/** The protocol schemas a request body is checked against before it is sent. */
export type RequestSchemaName = keyof typeof REQUEST_SCHEMAS;

// Requests are checked as they are: an unknown member (a typo such as `subject.userId`) is refused.
const requestAjv = new Ajv({ strict: false });
addFormats(requestAjv, undefined);
const compiledRequests = new Map<RequestSchemaName, ValidateFunction>();

/**
 * Checks a request body against its protocol schema, so a body the service would refuse fails here,
 * without a round trip and with the path of the problem.
 * @throws StepgateClientError `invalid_argument`.
 */
export function assertRequest(name: RequestSchemaName, body: unknown): void {
  let validate = compiledRequests.get(name);
  if (validate === undefined) {
    validate = requestAjv.compile(REQUEST_SCHEMAS[name]);
    compiledRequests.set(name, validate);
  }
  if (validate(body) === true) return;
  const first = validate.errors?.[0];
  const where = first ? `${first.instancePath || '/'} ${first.message ?? ''}`.trim() : 'invalid';
  throw new StepgateClientError('invalid_argument', `the request body is not valid: ${where}`);
}
