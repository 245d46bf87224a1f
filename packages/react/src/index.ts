/**
 * @stepgate/react — Stepgate for React: the `<StepUpChallenge>` and `<StepUpEnroll>` components
 * (the web-widget's elements through @lit/react, with typed props and events) and the
 * `useStepUp()` hook that runs a step-up and retries your request.
 * @packageDocumentation
 */
export type { StepUpErrorCode } from '@stepgate/sdk-core';
export { isStepUpError, StepUpCancelledError, StepUpError } from '@stepgate/sdk-core';
export type {
  StepUpCancelEvent,
  StepUpCompleteEvent,
  StepUpErrorEvent,
  StepUpFactorAddedEvent,
  StepUpMethodChangeEvent,
} from '@stepgate/web-widget';
export type { StepUpAttempt, StepUpFetcher, UseStepUpOptions } from './run-with-step-up.js';
export { runWithStepUp } from './run-with-step-up.js';
export { StepUpChallenge, type StepUpChallengeProps } from './step-up-challenge.js';
export { StepUpEnroll, type StepUpEnrollProps } from './step-up-enroll.js';
export { useStepUp } from './use-step-up.js';
