/**
 * @stepgate/web-widget — `<step-up-challenge>` (defined on import) and its helpers.
 * `<step-up-enroll>` is a separate entry: `@stepgate/web-widget/enroll`.
 * @packageDocumentation
 */
import './define.js';
import './i18n/add-fr.js';

export type { ClientOptions } from './api-client.js';
export {
  appendPath,
  challengeUrlFor,
  enrollmentUrlFor,
  getChallenge,
  startMethod,
  verifyMethod,
} from './api-client.js';
export type { WidgetErrorCode } from './errors.js';
export { WIDGET_ERROR_CODES, WidgetError } from './errors.js';
export {
  StepUpCancelEvent,
  StepUpCompleteEvent,
  StepUpErrorEvent,
  StepUpFactorAddedEvent,
  StepUpMethodChangeEvent,
} from './events.js';
export { en, enEnroll } from './i18n/en.js';
export { fr, frEnroll } from './i18n/fr.js';
export type { ChallengeMessages, EnrollMessages } from './i18n/messages.js';
export type { MessageRegistry } from './i18n/registry.js';
export { addMessages } from './i18n/registry.js';
export type { StepUpOptions } from './step-up-challenge/step-up.js';
export { stepUp } from './step-up-challenge/step-up.js';
export { StepUpChallenge } from './step-up-challenge/step-up-challenge.js';
export { TAG_CHALLENGE, TAG_ENROLL } from './tags.js';
