/**
 * @stepgate/sdk-core — the browser SDK: device context, the step-up flow as a `fetch`
 * wrapper (ky hooks live in `@stepgate/sdk-core/ky`), and the webview bridge.
 * @packageDocumentation
 */

export type { ParsedStepUpChallenge } from '@stepgate/protocol';
export type { NativeChannel, WebviewKind } from './bridge/detect-webview.js';
export { detectWebview } from './bridge/detect-webview.js';
export type { NativeAnswer } from './bridge/native-answers.js';
export { NATIVE_EVENT } from './bridge/native-answers.js';
export type { NativeSignOptions } from './bridge/native-sign.js';
export { signWithNativeDeviceKey } from './bridge/native-sign.js';
export type {
  BridgeEnvelope,
  BridgeMessage,
  ChallengeCancelledMessage,
  ChallengeCompletedMessage,
  ChallengeErrorMessage,
  ChallengeStartedMessage,
  SignRequestMessage,
} from './bridge/post-message.js';
export { postBridgeMessage } from './bridge/post-message.js';
export { CONTEXT_HEADER, TOKEN_HEADER } from './constants.js';
export type { ContextOptions } from './context/collect-context.js';
export {
  clearContextCache,
  collectContext,
  prewarmContext,
  UNKNOWN_FINGERPRINT,
} from './context/collect-context.js';
export { encodeContextHeader, getContextHeader } from './context/context-header.js';
export {
  forgetDevice,
  getDeviceId,
  getDeviceToken,
  rememberDeviceToken,
  STORAGE_KEYS,
} from './context/device-store.js';
export type { CollectSelection, SignalName } from './context/signals.js';
export { COLLECTED_SIGNALS } from './context/signals.js';
export type { StepUpErrorCode } from './errors.js';
export { isStepUpError, STEP_UP_ERROR_CODES, StepUpCancelledError, StepUpError } from './errors.js';
export { isAllowedOrigin, normalizeAllowedOrigins } from './flow/allowed-origins.js';
export type { StepUpFetchOptions } from './flow/create-step-up-fetch.js';
export { createStepUpFetch } from './flow/create-step-up-fetch.js';
export type {
  ForeignStepUpContext,
  ForeignStepUpHandler,
  IdpStepUpHandler,
  StepUpHandler,
} from './flow/handlers.js';
export {
  getIdpStepUpHandler,
  setForeignStepUpHandler,
  setIdpStepUpHandler,
  setStepUpHandler,
} from './flow/handlers.js';
export type {
  CompleteIdpStepUpOptions,
  IdpCallback,
  IdpPopupOptions,
  IdpRedirectOptions,
  IdpStepUpResult,
} from './flow/idp-step-up.js';
export {
  completeIdpPopup,
  completeIdpStepUp,
  createIdpPopupHandler,
  createIdpRedirectHandler,
  IDP_POPUP_CHANNEL,
  IDP_STATE_PREFIX,
  startIdpStepUp,
} from './flow/idp-step-up.js';
export type { RequestLike, RequestMatcher, StepUpFlowOptions } from './flow/options.js';
export type { RequestStepUpOptions } from './flow/step-up-queue.js';
export { requestStepUp } from './flow/step-up-queue.js';
