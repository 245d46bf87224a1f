/**
 * The registered handlers: the Stepgate step-up handler (the widget registers itself) and the
 * app's handler for other providers' dialects. Set only by explicit calls.
 *
 * They live on `globalThis` under a `Symbol.for` key rather than in module state, so that a page
 * with two copies of sdk-core (the widget's standalone `<script>` bundle carries its own, the
 * app's bundle another) still has one registry: the widget's registration reaches the app's
 * fetch wrapper.
 */
import type { ParsedStepUpChallenge, ProviderStepUp, StepUpInfo, VerifyAnswer } from '@stepgate/protocol';

/**
 * Runs one Stepgate challenge and resolves with the verify answer (its `token` goes into the
 * `Step-Up-Token` header of the retried request). Rejects with {@link StepUpCancelledError}
 * when the user cancels. `signal` aborts when every request waiting on this challenge is aborted.
 *
 * @example
 * const handler: StepUpHandler = async (challenge, { signal }) => runMyDialog(challenge, signal);
 */
export type StepUpHandler = (
  challenge: StepUpInfo,
  options: {
    signal: AbortSignal;
    /**
     * A copy of the request that got the step-up answer (body included), when the flow has one:
     * what an identity-provider step-up ("Continue with …") keeps to replay after the return.
     */
    request?: Request | undefined;
  },
) => Promise<VerifyAnswer>;

/**
 * Performs a step-up at an identity provider (docs/idp.md): `providers` come from the step-up
 * answer (its authorization parameters, never a secret). It resolves once the provider's proof has
 * reached the app's backend, and the flow then retries `request` as is; a full-page redirect never
 * resolves (the return page replays the request, see `completeIdpStepUp`).
 *
 * @example
 * setIdpStepUpHandler(createIdpRedirectHandler({ redirectUri: '/step-up/callback' }));
 */
export type IdpStepUpHandler = (
  providers: readonly ProviderStepUp[],
  context: { request: Request; signal: AbortSignal },
) => Promise<void>;

/** What a {@link ForeignStepUpHandler} gets besides the parsed challenge. */
export interface ForeignStepUpContext {
  /** The request that got the step-up answer: with the fetch wrapper an unused copy (body included) to retry with. */
  request: Request;
  /** The original request's signal. */
  signal: AbortSignal;
}

/**
 * Handles a step-up answer in another provider's dialect (Entra `insufficient_claims`, Okta,
 * Auth0, Clerk, a plain RFC 9470 challenge without `step_up_challenge`), for example by
 * redirecting to that provider or by retrying with a fresh token from it. A `Response` it
 * resolves with replaces the step-up answer; `undefined` returns the step-up answer as is.
 *
 * @example
 * setForeignStepUpHandler(async (parsed) => {
 *   location.assign(`/login?acr_values=${encodeURIComponent(parsed.acrValues.join(' '))}`);
 *   return undefined;
 * });
 */
export type ForeignStepUpHandler = (
  parsed: ParsedStepUpChallenge,
  response: Response,
  context: ForeignStepUpContext,
) => Promise<Response | undefined> | Response | undefined;

interface HandlerSlots {
  stepUp: StepUpHandler | null;
  foreign: ForeignStepUpHandler | null;
  idp?: IdpStepUpHandler | null;
}

/** The global key of the shared registry (also read by tests). */
export const HANDLER_REGISTRY_KEY: unique symbol = Symbol.for('stepgate.sdk-core.handlers') as never;

function slots(): HandlerSlots {
  const g = globalThis as { [HANDLER_REGISTRY_KEY]?: HandlerSlots };
  g[HANDLER_REGISTRY_KEY] ??= { stepUp: null, foreign: null };
  return g[HANDLER_REGISTRY_KEY];
}

/**
 * Registers the handler that runs Stepgate challenges (the widget calls this when it is
 * defined). A later registration replaces an earlier one.
 *
 * @param handler - The handler, or `null` to remove the current one.
 * @returns A function that unregisters `handler` (a no-op if another one replaced it since).
 * @example
 * const off = setStepUpHandler((challenge, { signal }) => dialog.run(challenge, { signal }));
 * // later
 * off();
 */
export function setStepUpHandler(handler: StepUpHandler | null): () => void {
  const registry = slots();
  registry.stepUp = handler;
  return () => {
    if (registry.stepUp === handler) registry.stepUp = null;
  };
}

/** The registered Stepgate step-up handler, if any. */
export function getStepUpHandler(): StepUpHandler | null {
  return slots().stepUp;
}

/**
 * Registers the app's handler for step-up answers in other providers' dialects.
 *
 * @param handler - The handler, or `null` to remove it (such answers are then returned as is).
 * @returns A function that unregisters `handler`.
 * @example
 * setForeignStepUpHandler((parsed, response) => (parsed.dialect === 'entra' ? reauthenticate(parsed) : response));
 */
export function setForeignStepUpHandler(handler: ForeignStepUpHandler | null): () => void {
  const registry = slots();
  registry.foreign = handler;
  return () => {
    if (registry.foreign === handler) registry.foreign = null;
  };
}

/** The registered foreign-dialect handler, if any. */
export function getForeignStepUpHandler(): ForeignStepUpHandler | null {
  return slots().foreign;
}

/**
 * Registers the handler of step-ups an identity provider performs: it runs for an answer that only
 * providers perform, and the widget offers "Continue with …" beside its own methods when one is set.
 *
 * @param handler - The handler (for example `createIdpRedirectHandler(…)`), or `null` to remove it.
 * @returns A function that unregisters `handler`.
 * @example
 * setIdpStepUpHandler(createIdpRedirectHandler({ redirectUri: '/step-up/callback' }));
 */
export function setIdpStepUpHandler(handler: IdpStepUpHandler | null): () => void {
  const registry = slots();
  registry.idp = handler;
  return () => {
    if (registry.idp === handler) registry.idp = null;
  };
}

/** The registered identity-provider step-up handler, if any. */
export function getIdpStepUpHandler(): IdpStepUpHandler | null {
  return slots().idp ?? null;
}
