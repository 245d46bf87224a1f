import {
  DECISIONS,
  type DecisionResponse,
  type EnrollmentStepUpAnswer,
  type EnrollmentTicketAnswer,
  type FactorListAnswer,
  type FactorRemovedAnswer,
  type FactorView,
  isLevel,
  isMethod,
  type PolicyFieldsAnswer,
  type Requirement,
  type UserDeletedAnswer,
  type UserView,
} from '@stepgate/protocol';
import { validateAnswer } from './schemas.js';

/**
 * Strict checks of the service's answers. Anything unexpected is `undefined`, which the transport
 * turns into a failure: a malformed answer or an unknown decision value never allows (S20).
 */

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 256;
}

function isRequirement(value: unknown): value is Requirement {
  return (
    isRecord(value) &&
    isLevel(value.level) &&
    typeof value.acr === 'string' &&
    (value.maxAge === undefined || (Number.isInteger(value.maxAge) && (value.maxAge as number) >= 0)) &&
    Array.isArray(value.methods) &&
    value.methods.every(isMethod) &&
    typeof value.bindTransaction === 'boolean' &&
    typeof value.singleUse === 'boolean'
  );
}

function isChallengeRef(value: unknown): boolean {
  return (
    isRecord(value) &&
    isId(value.id) &&
    typeof value.expiresAt === 'string' &&
    Array.isArray(value.methods) &&
    value.methods.length > 0 &&
    value.methods.every(isMethod)
  );
}

/** A decision answer, or `undefined` when malformed or of an unknown decision value. */
export function parseDecisionResponse(body: unknown): DecisionResponse | undefined {
  if (!isRecord(body) || !validateAnswer('decisionResponseSchema', body)) return undefined;
  if (!isId(body.decisionId) || !(DECISIONS as readonly unknown[]).includes(body.decision)) return undefined;
  if (!Array.isArray(body.reasons) || !body.reasons.every((r) => isRecord(r) && typeof r.code === 'string')) {
    return undefined;
  }
  if (body.requirement !== undefined && !isRequirement(body.requirement)) return undefined;
  // A step-up nobody can perform (no challenge, no identity provider) or without what it
  // requires cannot be answered: fail closed.
  const performable =
    isChallengeRef(body.challenge) || (Array.isArray(body.providers) && body.providers.length > 0);
  if (body.decision === 'step_up' && (!performable || body.requirement === undefined)) {
    return undefined;
  }
  return body as unknown as DecisionResponse;
}

/** An enrollment answer: a ticket, or a step-up the user must pass first (S31). */
export function parseEnrollmentAnswer(
  body: unknown,
): EnrollmentTicketAnswer | EnrollmentStepUpAnswer | undefined {
  if (!isRecord(body)) return undefined;
  if (body.decision === 'step_up') {
    if (!validateAnswer('enrollmentStepUpSchema', body)) return undefined;
    return isRequirement(body.requirement) && isChallengeRef(body.challenge)
      ? (body as unknown as EnrollmentStepUpAnswer)
      : undefined;
  }
  if (body.decision !== undefined || !validateAnswer('enrollmentTicketSchema', body)) return undefined;
  return isId(body.ticket) && typeof body.expiresAt === 'string'
    ? (body as unknown as EnrollmentTicketAnswer)
    : undefined;
}

/** A user view. */
export function parseUserView(body: unknown): UserView | undefined {
  return isRecord(body) && isId(body.id) && validateAnswer('userViewSchema', body)
    ? (body as unknown as UserView)
    : undefined;
}

/** A `PUT /v1/users/{id}` answer: the user, or the step-up a contact change needs first (S31, S33). */
export function parseUserUpsertAnswer(body: unknown): UserView | EnrollmentStepUpAnswer | undefined {
  if (isRecord(body) && body.decision !== undefined) {
    return body.decision === 'step_up'
      ? (parseEnrollmentAnswer(body) as EnrollmentStepUpAnswer | undefined)
      : undefined;
  }
  return parseUserView(body);
}

/** A factor list. */
export function parseFactorList(body: unknown): FactorListAnswer | undefined {
  return isRecord(body) &&
    Array.isArray(body.factors) &&
    body.factors.every((f) => isRecord(f) && isId(f.id) && isMethod(f.method) && isLevel(f.maxLevel)) &&
    validateAnswer('factorListSchema', body)
    ? (body as unknown as FactorListAnswer)
    : undefined;
}

/** A user's erasure: `{ deleted }`, or the `step_up` that must come first (S31). */
export function parseDeletionAnswer(body: unknown): UserDeletedAnswer | EnrollmentStepUpAnswer | undefined {
  if (!isRecord(body)) return undefined;
  if (body.decision === 'step_up') return parseEnrollmentAnswer(body) as EnrollmentStepUpAnswer | undefined;
  return validateAnswer('userDeletedSchema', body) ? (body as unknown as UserDeletedAnswer) : undefined;
}

/** A removal answer: the removed factor, or a step-up the user must pass first (S31). */
export function parseRemovalAnswer(body: unknown): FactorRemovedAnswer | EnrollmentStepUpAnswer | undefined {
  if (!isRecord(body)) return undefined;
  if (body.decision === 'step_up') return parseEnrollmentAnswer(body) as EnrollmentStepUpAnswer | undefined;
  const removed = body.removed;
  return isRecord(removed) &&
    isId(removed.id) &&
    isMethod(removed.method) &&
    isLevel(removed.maxLevel) &&
    validateAnswer('factorViewSchema', removed)
    ? { removed: removed as unknown as FactorView }
    : undefined;
}

/** The answer of a call whose body the client does not use: empty, or any JSON object. */
export function parseEmptyOrObject(body: unknown): Record<string, unknown> | undefined {
  return body === undefined ? {} : isRecord(body) ? body : undefined;
}

/** The policies' field types (`GET /v1/policies/fields`). */
export function parsePolicyFields(body: unknown): PolicyFieldsAnswer | undefined {
  return isRecord(body) && validateAnswer('policyFieldsSchema', body)
    ? (body as unknown as PolicyFieldsAnswer)
    : undefined;
}
