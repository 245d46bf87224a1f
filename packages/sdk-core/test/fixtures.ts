/**
 * Shared test fixtures: the msw worker (served by tools/wtr-plugins.mjs) and protocol-shaped
 * answers, each checked against the protocol's JSON Schemas before it is served.
 */
import type { StepUpContext, StepUpInfo, VerifyAnswer } from '@stepgate/protocol';
import { decodeStepUpContext } from '@stepgate/protocol';
import { HttpResponse } from 'msw';
import { setupWorker } from 'msw/browser';
import { assertValid } from './schemas.js';

/** The one msw worker of a test page. */
export const worker = setupWorker();
let started: Promise<unknown> | undefined;

/** Starts the worker once per page. */
export function startWorker(): Promise<unknown> {
  started ??= worker.start({
    quiet: true,
    onUnhandledRequest: 'bypass',
    serviceWorker: { url: '/mockServiceWorker.js' },
  });
  return started;
}

/** A Stepgate challenge as the backend would send it. */
export function challenge(id: string, overrides: Partial<StepUpInfo> = {}): StepUpInfo {
  return {
    challengeId: id,
    challengeUrl: `${location.origin}/stepgate/v1/challenges/${id}`,
    acr: 'urn:stepgate:aal2',
    maxAge: 300,
    methods: ['totp', 'webauthn'],
    expiresAt: new Date(Date.now() + 300_000).toISOString(),
    ...overrides,
  };
}

/** The 401 step-up answer of a guarded route (docs/design/wire-contract.md), schema-checked. */
export function stepUpResponse(info: StepUpInfo, options: { body?: boolean } = {}): Response {
  const body = { error: { code: 'insufficient_user_authentication', message: 'Step up' }, stepUp: info };
  assertValid('stepUpAnswer', body);
  const header =
    `Bearer error="insufficient_user_authentication", error_description="A stronger authentication is required", ` +
    `acr_values="${info.acr}", max_age="${info.maxAge ?? 0}", step_up_challenge="${info.challengeId}"`;
  const headers = { 'WWW-Authenticate': header };
  return options.body === false
    ? new HttpResponse(null, { status: 401, headers })
    : HttpResponse.json(body, { status: 401, headers });
}

/** A verify answer, schema-checked. */
export function verifyAnswer(token: string, extra: Partial<VerifyAnswer> = {}): VerifyAnswer {
  const answer: VerifyAnswer = {
    token,
    acr: 'urn:stepgate:aal2',
    amr: ['otp', 'mfa'],
    expiresAt: new Date(Date.now() + 120_000).toISOString(),
    ...extra,
  };
  assertValid('verifyAnswer', answer);
  return answer;
}

/** Decodes and schema-checks the context header of a request the mock received. */
export function contextOf(request: Request): StepUpContext {
  const header = request.headers.get('Step-Up-Context');
  if (header === null) throw new Error('no Step-Up-Context header');
  if (new TextEncoder().encode(header).length > 4096) throw new Error('Step-Up-Context header over 4 KB');
  const context = decodeStepUpContext(header);
  if (context === null) throw new Error('Step-Up-Context header does not decode');
  assertValid('stepUpContext', context);
  return context;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
