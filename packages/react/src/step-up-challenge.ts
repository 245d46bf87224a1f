/**
 * `<StepUpChallenge>`: the `<step-up-challenge>` element as a React component, made with
 * @lit/react so React sets its properties (`challenge`, `messages`, …) instead of stringifying
 * them into attributes, and its typed events arrive as `on…` props.
 */
import { createComponent, type EventName } from '@lit/react';
import {
  type StepUpCancelEvent,
  StepUpChallenge as StepUpChallengeElement,
  type StepUpCompleteEvent,
  type StepUpErrorEvent,
  type StepUpMethodChangeEvent,
  TAG_CHALLENGE,
} from '@stepgate/web-widget';
import * as React from 'react';

/**
 * The challenge element for React. Importing it defines `<step-up-challenge>`; one rendered
 * anywhere in the app becomes sdk-core's step-up handler, so `createStepUpFetch()` and
 * {@link useStepUp} open it on a step-up answer.
 *
 * Props are the element's properties (`challenge`, `serviceUrl`, `challengeId`, `challengeUrl`,
 * `open`, `inline`, `rememberDevice`, `theme`, `lang`, `messages`) and its events:
 * `onStepUpComplete`, `onStepUpCancel` (cancelable), `onStepUpError`, `onStepUpMethodChange`.
 *
 * @example
 * <StepUpChallenge theme="dark" onStepUpComplete={(event) => toast(`Confirmed (${event.answer.acr})`)} />
 */
export const StepUpChallenge = createComponent({
  react: React,
  tagName: TAG_CHALLENGE,
  elementClass: StepUpChallengeElement,
  displayName: 'StepUpChallenge',
  events: {
    onStepUpComplete: 'step-up-complete' as EventName<StepUpCompleteEvent>,
    onStepUpCancel: 'step-up-cancel' as EventName<StepUpCancelEvent>,
    onStepUpError: 'step-up-error' as EventName<StepUpErrorEvent>,
    onStepUpMethodChange: 'step-up-method-change' as EventName<StepUpMethodChangeEvent>,
  },
});

/** The props of {@link StepUpChallenge}. */
export type StepUpChallengeProps = React.ComponentProps<typeof StepUpChallenge>;
