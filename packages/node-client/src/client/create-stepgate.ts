import type {
  DecisionRequest,
  DecisionResponse,
  EnrollmentStepUpAnswer,
  EnrollmentTicketAnswer,
  FactorListAnswer,
  FactorRemovedAnswer,
  Method,
  PolicyFieldsAnswer,
  Subject,
  UserDeletedAnswer,
  UserUpsertRequest,
  UserView,
} from '@stepgate/protocol';
import { isMethod, newIdempotencyKey } from '@stepgate/protocol';
import { StepgateClientError } from '../errors.js';
import { type NormalizedStepgateOptions, normalizeOptions, type StepgateOptions } from '../options.js';
import {
  parseDecisionResponse,
  parseDeletionAnswer,
  parseEmptyOrObject,
  parseEnrollmentAnswer,
  parseFactorList,
  parsePolicyFields,
  parseRemovalAnswer,
  parseUserUpsertAnswer,
} from './answers.js';
import { assertRequest } from './schemas.js';
import { createTransport, type Transport } from './transport.js';

/**
 * Per-call options of {@link Stepgate.decide}.
 * @example
 * // One key per request your server handles, made on the server: an app that retries the call
 * // itself (its own timeout wrapper, say) reuses it for that one request only.
 * const idempotencyKey = newIdempotencyKey(); // a UUIDv7; any unique string of 1–256 characters works
 * const verdict = await withRetries(() => stepgate.decide(input, { idempotencyKey }));
 */
export interface DecideOptions {
  /**
   * The `Idempotency-Key` of this decision (docs/security-model.md S17). The service answers a repeat of a key
   * with the answer it stored — an `allow` included — without consuming the `stepUpToken` again, so
   * that node-client's own retries of one call (which all carry the call's key) cannot consume a
   * single-use token twice. That is also why the key **must be unique per server-side request and
   * must never come from the client**: a browser that replays its request with the same key (an
   * `Idempotency-Key` header of its own, or a value your page sends) and the same single-use token
   * would get the stored `allow` again, and the transfer would run twice. Leave it out unless you
   * retry `decide()` yourself for the same request; the guards never set it from the request.
   * @defaultValue a fresh UUIDv7 ({@link newIdempotencyKey}) per call, the same on every retry of that call
   */
  idempotencyKey?: string;
}

/**
 * A client of the decision service. Create it once per process with {@link createStepgate}.
 * @example
 * const ticket = await stepgate.createEnrollmentTicket('u_1', { id: 'u_1', sessionId: 's_1', acr: 'aal1' }, 'totp');
 * if ('decision' in ticket) {
 *   // S31: the user already has a factor; run ticket.challenge first, then call again with its token
 * }
 */
export interface Stepgate {
  /**
   * Asks the service for a verdict on one request. Each call carries its own `Idempotency-Key`
   * (made here, or `options.idempotencyKey`, which must never come from the client; see
   * {@link DecideOptions}), the same on every retry of that call.
   * @throws StepgateClientError `decision_unavailable` on a timeout, an open breaker, a network error,
   * any other non-2xx answer, a malformed answer or an unknown decision value — never an allow (S20,
   * S21); `invalid_request` (with `details`) when the service refuses the request as invalid, such as
   * a field of another type than the policies give it.
   */
  decide(input: DecisionRequest, options?: DecideOptions): Promise<DecisionResponse>;
  /**
   * The type of every request field the policies in force compare (`GET /v1/policies/fields`), with
   * their version; the guards read it to refuse a transaction that does not fit before asking.
   * @throws StepgateClientError `service_unavailable` or `service_rejected`.
   * @example
   * const { policyVersion, fields } = await stepgate.policyFields();
   * fields['transaction.amount']; // { type: 'number', policies: ['fresh-check-for-transfers'] }
   */
  policyFields(): Promise<PolicyFieldsAnswer>;
  /**
   * Creates or updates a user's contact points and display name (`PUT /v1/users/{id}`); a verified
   * email or phone counts as an enrolled `email_otp` / `sms_otp` factor. Changing one of a user who
   * already has a factor answers a `step_up` first (S31, S33): run that challenge, then call again
   * with the same values, `subject` and `stepUpToken`. Retried only without a `stepUpToken`.
   * @throws StepgateClientError `service_unavailable`, `service_rejected` or `invalid_argument`.
   * @example
   * const answer = await stepgate.upsertUser('u_1', { phone: '+33612345678', subject });
   * if ('decision' in answer) {
   *   // answer with stepUpAnswer(answer, challengeUrl); the retry carries { …, stepUpToken }
   * }
   */
  upsertUser(id: string, body: UserUpsertRequest): Promise<UserView | EnrollmentStepUpAnswer>;
  /** Lists a user's enrolled factors (`GET /v1/users/{id}/factors`). */
  listFactors(userId: string): Promise<FactorListAnswer>;
  /**
   * Asks for an enrollment ticket for the widget's `<step-up-enroll>`. A user who already has a factor
   * gets a `step_up` answer first (S31): run that challenge, then call again with its token.
   * @throws StepgateClientError `service_unavailable`, `service_rejected` or `invalid_argument`.
   */
  createEnrollmentTicket(
    userId: string,
    subject: Subject,
    method?: Method,
    options?: { stepUpToken?: string },
  ): Promise<EnrollmentTicketAnswer | EnrollmentStepUpAnswer>;
  /**
   * Removes a factor (`DELETE /v1/users/{id}/factors/{factorId}`). Gated like adding one (S31): the
   * first answer is a `step_up`; run that challenge, then call again with its token. Never retried.
   * @throws StepgateClientError `service_unavailable`, `service_rejected` (404 for an unknown factor)
   * or `invalid_argument`.
   */
  removeFactor(
    userId: string,
    factorId: string,
    subject: Subject,
    options?: { stepUpToken?: string },
  ): Promise<FactorRemovedAnswer | EnrollmentStepUpAnswer>;
  /**
   * Erases a user (`DELETE /v1/users/{id}`): contact points, factors, credentials, known devices,
   * history and remembered-device tokens. Gated like removing every factor (S31): for a user with
   * a factor or contact point, the first answer is a `step_up` to their strongest level; run that
   * challenge, then call again with its token. Never retried. Audited; earlier audit records stay.
   * @throws StepgateClientError `service_unavailable`, `service_rejected` (404 when the service
   * holds nothing about the user) or `invalid_argument`.
   * @example
   * const answer = await stepgate.deleteUser('u_1', subject);
   * if ('decision' in answer) {
   *   // answer with stepUpAnswer(answer, challengeUrl); the retry carries { stepUpToken }
   * }
   */
  deleteUser(
    userId: string,
    subject: Subject,
    options?: { stepUpToken?: string },
  ): Promise<UserDeletedAnswer | EnrollmentStepUpAnswer>;
  /** Marks a decision's outcome `fraud` or `legit`, for tuning (`POST /v1/decisions/{id}/feedback`). */
  feedback(decisionId: string, label: 'fraud' | 'legit', note?: string): Promise<void>;
  /** The circuit breaker's state: `closed`, `open` or `half-open`. */
  breakerState(): 'closed' | 'open' | 'half-open';
}

interface Internals {
  options: NormalizedStepgateOptions;
  transport: Transport;
}

const internals = new WeakMap<Stepgate, Internals>();

/** The normalised options of a client (guards and the proxy need them; the API key stays off the object). */
export function optionsOf(stepgate: Stepgate): NormalizedStepgateOptions {
  const found = internals.get(stepgate);
  if (!found) throw new StepgateClientError('invalid_options', 'expected a client made by createStepgate()');
  return found.options;
}

function checkId(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
    throw new StepgateClientError('invalid_argument', `${name} must be a string of 1 to 256 characters`);
  }
  return value;
}

function checkDecisionRequest(input: DecisionRequest): void {
  if (typeof input !== 'object' || input === null) {
    throw new StepgateClientError('invalid_argument', 'decide() needs a decision request object');
  }
  checkId(input.subject?.id, 'subject.id');
  checkId(input.action?.name, 'action.name');
}

/**
 * Creates a client of the decision service. Options are checked here, not on the first call.
 *
 * @throws StepgateClientError `invalid_options` naming the bad option.
 * @example
 * import { createStepgate } from '@stepgate/node-client';
 *
 * const stepgate = createStepgate({ serviceUrl: 'http://127.0.0.1:8787', apiKey: process.env.STEPGATE_API_KEY! });
 * const verdict = await stepgate.decide({ subject: { id: 'u_1' }, action: { name: 'payments.transfer' } });
 * if (verdict.decision !== 'allow') throw new Error('not allowed');
 */
export function createStepgate(options: StepgateOptions): Stepgate {
  const normalized = normalizeOptions(options);
  const transport = createTransport(normalized);
  const user = (id: string) => `v1/users/${encodeURIComponent(checkId(id, 'userId'))}`;
  const stepgate: Stepgate = {
    async decide(input, callOptions = {}) {
      checkDecisionRequest(input);
      assertRequest('decisionRequestSchema', input);
      const idempotencyKey = callOptions.idempotencyKey ?? newIdempotencyKey();
      checkId(idempotencyKey, 'idempotencyKey');
      return transport.call({
        method: 'post',
        path: 'v1/decisions',
        json: input,
        idempotencyKey,
        retry: true,
        failCode: 'decision_unavailable',
        parse: parseDecisionResponse,
      });
    },
    async policyFields() {
      return transport.call({
        method: 'get',
        path: 'v1/policies/fields',
        retry: true,
        failCode: 'service_unavailable',
        parse: parsePolicyFields,
        // Auxiliary: the guards skip their own check when it fails; decisions must not suffer for it.
        breaker: false,
      });
    },
    async upsertUser(id, body) {
      assertRequest('userUpsertRequestSchema', body);
      return transport.call({
        method: 'put',
        path: user(id),
        json: body,
        // A single-use token must not be sent twice: a retry after a lost answer would only get a
        // new step-up for a change that may already be done.
        retry: body.stepUpToken === undefined,
        failCode: 'service_unavailable',
        parse: parseUserUpsertAnswer,
      });
    },
    async listFactors(userId) {
      return transport.call({
        method: 'get',
        path: `${user(userId)}/factors`,
        retry: true,
        failCode: 'service_unavailable',
        parse: parseFactorList,
      });
    },
    async createEnrollmentTicket(userId, subject, method, callOptions = {}) {
      checkId(subject?.id, 'subject.id');
      if (method !== undefined && !isMethod(method)) {
        throw new StepgateClientError('invalid_argument', `unknown method ${String(method)}`);
      }
      const body = {
        userId: checkId(userId, 'userId'),
        subject,
        ...(method === undefined ? {} : { method }),
        ...(callOptions.stepUpToken === undefined ? {} : { stepUpToken: callOptions.stepUpToken }),
      };
      assertRequest('enrollmentRequestSchema', body);
      return transport.call({
        method: 'post',
        path: 'v1/enrollments',
        json: body,
        retry: false,
        failCode: 'service_unavailable',
        parse: parseEnrollmentAnswer,
      });
    },
    async removeFactor(userId, factorId, subject, callOptions = {}) {
      const body = {
        subject,
        ...(callOptions.stepUpToken === undefined ? {} : { stepUpToken: callOptions.stepUpToken }),
      };
      assertRequest('enrollmentRequestSchema', { userId: checkId(userId, 'userId'), ...body });
      return transport.call({
        method: 'delete',
        path: `${user(userId)}/factors/${encodeURIComponent(checkId(factorId, 'factorId'))}`,
        json: body,
        retry: false,
        failCode: 'service_unavailable',
        parse: parseRemovalAnswer,
      });
    },
    async deleteUser(userId, subject, callOptions = {}) {
      const body = {
        subject,
        ...(callOptions.stepUpToken === undefined ? {} : { stepUpToken: callOptions.stepUpToken }),
      };
      assertRequest('userDeletionRequestSchema', body);
      return transport.call({
        method: 'delete',
        path: user(userId),
        json: body,
        retry: false,
        failCode: 'service_unavailable',
        parse: parseDeletionAnswer,
      });
    },
    async feedback(decisionId, label, note) {
      if (label !== 'fraud' && label !== 'legit') {
        throw new StepgateClientError('invalid_argument', 'label must be fraud or legit');
      }
      const body = note === undefined ? { label } : { label, note };
      assertRequest('feedbackRequestSchema', body);
      await transport.call({
        method: 'post',
        path: `v1/decisions/${encodeURIComponent(checkId(decisionId, 'decisionId'))}/feedback`,
        json: body,
        retry: false,
        failCode: 'service_unavailable',
        parse: parseEmptyOrObject,
      });
    },
    breakerState: () => transport.breakerState(),
  };
  internals.set(stepgate, { options: normalized, transport });
  return Object.freeze(stepgate);
}
