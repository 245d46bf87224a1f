/**
 * @stepgate/sdk-core/ky — the step-up flow as hooks for the app's own ky instance (ky ≥ 2.1
 * is a peer dependency). A separate entry so that pages without ky never load it.
 * @packageDocumentation
 */
import { HEADERS } from '@stepgate/protocol';
import ky, { type AfterResponseState, type BeforeRequestState } from 'ky';
import { getContextHeader } from './context/context-header.js';
import { StepUpError } from './errors.js';
import { detectStepUp } from './flow/detect-step-up.js';
import { getForeignStepUpHandler, getIdpStepUpHandler } from './flow/handlers.js';
import { type NormalizedFlowOptions, normalizeFlowOptions, type StepUpFlowOptions } from './flow/options.js';
import { requestStepUp } from './flow/step-up-queue.js';

/** The hooks to spread into `ky.create({ hooks })`. */
export interface StepUpHooks {
  beforeRequest: Array<(state: BeforeRequestState) => Promise<Request | undefined>>;
  afterResponse: Array<
    (state: AfterResponseState) => Promise<Response | ReturnType<typeof ky.retry> | undefined>
  >;
}

async function setContext(headers: Headers, options: NormalizedFlowOptions): Promise<void> {
  if (options.context !== false) headers.set(HEADERS.context, await getContextHeader(options.context));
}

/**
 * The step-up flow as ky hooks. `beforeRequest` adds the `Step-Up-Context` header to
 * sensitive requests (buffering a `ReadableStream` body so it can be replayed);
 * `afterResponse` recognises a step-up answer, runs the registered handler and retries once
 * through `ky.retry()` with the `Step-Up-Token` header. The retry goes through ky's retry
 * machinery, so the instance needs `retry.limit ≥ 1` (ky's default is 2); with `retry: 0`
 * a step-up answer rejects with `StepUpError` `unsupported` before any dialog opens.
 *
 * @param options - Same as `createStepUpFetch` minus `fetch`.
 * @throws TypeError at creation for malformed options.
 * @throws StepUpError from a request: `cancelled`, `aborted`, `no_handler`, `failed`,
 *   `origin_not_allowed` (a `challengeUrl` outside the page's origin and `allowedOrigins`), and
 *   `unsupported` when the instance has `retry: 0`.
 * @example
 * import ky from 'ky';
 * import { stepUpHooks } from '@stepgate/sdk-core/ky';
 *
 * const api = ky.create({ prefix: '/api', hooks: stepUpHooks() });
 * await api.post('transfer', { json: { amount: 900 } }).json();
 */
export function stepUpHooks(options: StepUpFlowOptions = {}): StepUpHooks {
  const normalized = normalizeFlowOptions(options);
  return {
    beforeRequest: [
      async ({ request, options: kyOptions }) => {
        if (!normalized.isSensitive(request)) return undefined;
        let out: Request = request;
        if (kyOptions.body instanceof ReadableStream) {
          out = new Request(request, { body: await request.arrayBuffer() });
        }
        await setContext(out.headers, normalized);
        return out === request ? undefined : out;
      },
    ],
    afterResponse: [
      async ({ request, response, options: kyOptions }) => {
        if (!normalized.isSensitive(request) || request.headers.has(HEADERS.token)) return undefined;
        const answer = await detectStepUp(response, request.url, normalized.challengePrefix);
        if (!answer) return undefined;
        const idp = answer.kind === 'idp' ? getIdpStepUpHandler() : null;
        if (answer.kind !== 'stepgate' && idp === null) {
          const handler = getForeignStepUpHandler();
          return (
            (handler && (await handler(answer.parsed, response, { request, signal: request.signal }))) ||
            undefined
          );
        }
        if (kyOptions.retry.limit < 1) {
          // ky neither clones the body nor accepts a forced retry with `retry: 0`.
          throw new StepUpError(
            'unsupported',
            'stepUpHooks needs a ky instance with retry.limit ≥ 1.',
            answer.kind === 'stepgate' ? { challengeId: answer.challenge.challengeId } : {},
          );
        }
        if (answer.kind === 'idp' && idp !== null) {
          // Only identity providers perform it: the proof reaches the app's backend, the retry carries no token.
          await idp(answer.providers, { request: request.clone(), signal: request.signal });
          const headers = new Headers(request.headers);
          await setContext(headers, normalized);
          return ky.retry({ request: new Request(request, { headers }), delay: 0, code: 'STEP_UP' });
        }
        if (answer.kind !== 'stepgate') return undefined;
        const verified = await requestStepUp(answer.challenge, {
          signal: request.signal,
          bridge: normalized.bridge,
          allowedOrigins: normalized.allowedOrigins,
          request: request.clone(),
        });
        const headers = new Headers(request.headers);
        await setContext(headers, normalized);
        headers.set(HEADERS.token, verified.token);
        return ky.retry({ request: new Request(request, { headers }), delay: 0, code: 'STEP_UP' });
      },
    ],
  };
}
