import {
  type DecisionRequest,
  type DecisionResponse,
  decodeStepUpContext,
  HEADERS,
  newIdempotencyKey,
  type RequestContext,
  type Subject,
} from '@stepgate/protocol';
import { optionsOf, type Stepgate } from '../client/create-stepgate.js';
import { isStepgateClientError } from '../errors.js';
import { type ProxyAnswer, proxyChallengeRequest } from '../proxy/forward.js';
import {
  denyAnswer,
  errorAnswer,
  type GuardAnswer,
  invalidFieldAnswer,
  stepUpAnswer,
  unavailableAnswer,
} from './answers.js';
import { clientIp, peerIsTrusted, type TrustFunction } from './client-ip.js';

const TRUST_NONE: TrustFunction = () => false;

import { mismatchMessage, PolicyFieldTypes } from './field-check.js';
import { geoFromCdnHeaders } from './geo.js';
import {
  checkRouteOptions,
  type GuardOptions,
  normalizeGuardOptions,
  type RouteOptions,
} from './guard-options.js';
import { publicOrigin } from './origin.js';
import type { RequestView } from './request-view.js';

/** What a guard decided: run the handler with the verdict, or write this answer. */
export type GuardOutcome =
  | { type: 'allow'; verdict: DecisionResponse }
  | { type: 'answer'; answer: GuardAnswer };

/** The shared core every adapter wraps. */
export interface GuardCore<Req> {
  /** Makes one route's check. Route options are checked here, at creation. */
  route(options: RouteOptions<Req>): (req: Req, view: RequestView) => Promise<GuardOutcome>;
  /** Forwards a challenge-proxy request, or `undefined` when the path is not under the proxy prefix. */
  proxy(view: RequestView, body: () => Promise<Uint8Array | 'too_large'>): Promise<ProxyAnswer | undefined>;
  /** The proxy prefix, or `undefined` when the proxy is off. */
  readonly proxyPrefix: string | undefined;
  readonly proxyBodyLimitBytes: number;
}

/** A request the guard cannot check because the client sent something unusable. */
class BadRequest extends Error {}

const TOKEN = /^[A-Za-z0-9._~+/=-]{1,8192}$/;

function isSubject(value: unknown): value is Subject {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Subject).id === 'string' &&
    (value as Subject).id !== ''
  );
}

/**
 * Creates the core shared by the Express, Fastify and fetch adapters.
 * @throws StepgateClientError `invalid_options`.
 */
export function createGuardCore<Req>(stepgate: Stepgate, options: GuardOptions<Req>): GuardCore<Req> {
  const client = optionsOf(stepgate);
  const guard = normalizeGuardOptions(options);
  // The policies' field types, fetched on the first guarded request and kept by policy version.
  const fieldTypes = new PolicyFieldTypes(() => stepgate.policyFields());
  if (guard.proxy !== false && guard.proxy.publicOrigin === undefined) {
    // Once per adapter, at creation (production refused this above): never per request.
    guard.onWarning({
      code: 'proxy_public_origin_unset',
      message:
        "proxy.publicOrigin is not set: challengeUrl is built from each request's Host header. Set it to the origin browsers see; NODE_ENV=production refuses to start without it.",
    });
  }

  /** The guard's `trustProxy`, else the framework's own setting, else none. */
  const trustOf = (view: RequestView): TrustFunction => guard.trust ?? view.trust ?? TRUST_NONE;

  async function buildInput(req: Req, view: RequestView, route: RouteOptions<Req>, subject: Subject) {
    const context: RequestContext = {};
    const ip = clientIp(view, trustOf(view));
    if (ip !== undefined) context.ip = ip;
    const userAgent = view.header('user-agent');
    if (userAgent) context.userAgent = userAgent.slice(0, 512);
    const device = decodeStepUpContext(view.header(HEADERS.context.toLowerCase()));
    if (device) context.device = device;
    const geo =
      guard.geo === 'cdn'
        ? peerIsTrusted(view, trustOf(view))
          ? geoFromCdnHeaders(view)
          : undefined
        : guard.geo === false
          ? undefined
          : await guard.geo(req);
    if (geo) context.geo = geo;
    const input: DecisionRequest = { subject, action: { name: route.action }, context };
    const transaction = await route.transaction?.(req);
    if (transaction !== undefined) {
      if (typeof transaction !== 'object' || transaction === null || Array.isArray(transaction)) {
        throw new BadRequest('The transaction must be a JSON object.');
      }
      input.transaction = transaction;
    }
    const resource = await route.resource?.(req);
    if (resource !== undefined) input.resource = resource;
    return input;
  }

  function challengeUrl(view: RequestView, id: string): string {
    const path = `/v1/challenges/${encodeURIComponent(id)}`;
    if (guard.proxy === false) return `${client.publicServiceUrl}${path}`;
    const origin = guard.proxy.publicOrigin ?? publicOrigin(view, trustOf(view));
    return `${origin}${guard.proxy.prefix}${path}`;
  }

  return {
    route(routeOptions) {
      const route = checkRouteOptions(routeOptions);
      return async (req, view) => {
        let input: DecisionRequest;
        try {
          const subject = await guard.getSubject(req);
          if (subject === null || subject === undefined) {
            return { type: 'answer', answer: errorAnswer(401, 'unauthorized', 'Sign in first.') };
          }
          if (!isSubject(subject)) throw new TypeError('getSubject() must return { id: string, … }');
          const session = guard.sessionLevel ? await guard.sessionLevel(req, subject) : subject;
          input = await buildInput(req, view, route, session);
        } catch (error) {
          if (error instanceof BadRequest) {
            return { type: 'answer', answer: errorAnswer(400, 'invalid_request', error.message) };
          }
          guard.onError(error, req);
          return {
            type: 'answer',
            answer: errorAnswer(500, 'internal_error', 'The request could not be checked.'),
          };
        }
        try {
          const idpToken = await guard.idpToken?.(req);
          if (idpToken !== undefined && idpToken !== null && idpToken !== '') {
            if (typeof idpToken !== 'string' || !TOKEN.test(idpToken)) {
              throw new TypeError('idpToken() must return a compact JWT or nothing');
            }
            input.idpToken = idpToken;
          }
        } catch (error) {
          guard.onError(error, req);
          return {
            type: 'answer',
            answer: errorAnswer(500, 'internal_error', 'The request could not be checked.'),
          };
        }
        const token = view.header(HEADERS.token.toLowerCase());
        if (token !== undefined) {
          if (!TOKEN.test(token)) {
            return {
              type: 'answer',
              answer: errorAnswer(400, 'invalid_request', 'The Step-Up-Token header is malformed.'),
            };
          }
          input.stepUpToken = token;
        }
        // A transaction that does not fit the policies' field types is the app's mistake: a 400 here,
        // without asking (the service would refuse it the same way), so it shows up in development.
        const mismatch = await fieldTypes.check(input);
        if (mismatch !== undefined) {
          return { type: 'answer', answer: invalidFieldAnswer(mismatchMessage(mismatch), mismatch) };
        }
        let verdict: DecisionResponse;
        try {
          // S17: one Idempotency-Key per incoming request, made here and reused only by the client's
          // own retries of this call. Never the browser's header: a replay with the browser's key and
          // the same single-use token would get the stored `allow` again and run the action twice.
          verdict = await stepgate.decide(input, { idempotencyKey: newIdempotencyKey() });
        } catch (error) {
          if (isStepgateClientError(error, 'invalid_request')) {
            // The service refused the request as invalid: passed on as a 400, never the fail-closed 503.
            if (error.details !== undefined) fieldTypes.seen(error.details.policyVersion);
            return { type: 'answer', answer: invalidFieldAnswer(error.message, error.details) };
          }
          guard.onError(error, req);
          return { type: 'answer', answer: unavailableAnswer() };
        }
        fieldTypes.seen(verdict.policyVersion);
        switch (verdict.decision) {
          case 'allow':
            return { type: 'allow', verdict };
          case 'step_up':
            return {
              type: 'answer',
              answer: stepUpAnswer(verdict, challengeUrl(view, verdict.challenge?.id ?? '')),
            };
          case 'deny':
            return { type: 'answer', answer: denyAnswer(verdict) };
          default:
            // Unreachable: the client rejects unknown values. Kept so a new value can never allow (S20).
            return { type: 'answer', answer: unavailableAnswer() };
        }
      };
    },
    proxy: (view, body) =>
      guard.proxy === false
        ? Promise.resolve(undefined)
        : proxyChallengeRequest(stepgate, view, body, guard.proxy.prefix, trustOf(view)),
    proxyPrefix: guard.proxy === false ? undefined : guard.proxy.prefix,
    proxyBodyLimitBytes: guard.proxy === false ? 0 : guard.proxy.bodyLimitBytes,
  };
}
