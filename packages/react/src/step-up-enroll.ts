/**
 * `<StepUpEnroll>`: the `<step-up-enroll>` element as a React component (@lit/react), with its
 * typed events as `on…` props.
 */
import { createComponent, type EventName } from '@lit/react';
import type { StepUpErrorEvent, StepUpFactorAddedEvent } from '@stepgate/web-widget';
import { StepUpEnroll as StepUpEnrollElement } from '@stepgate/web-widget/enroll';
import * as React from 'react';

/**
 * The enrollment element for React. Importing it defines `<step-up-enroll>`.
 *
 * Props: `ticket` with `serviceUrl` (or `enrollmentUrl`), `theme`, `lang`, `messages`, and the
 * events `onStepUpFactorAdded` and `onStepUpError`.
 *
 * @example
 * <StepUpEnroll serviceUrl="/stepgate" ticket={ticket} onStepUpFactorAdded={() => refresh()} />
 */
export const StepUpEnroll = createComponent({
  react: React,
  tagName: 'step-up-enroll',
  elementClass: StepUpEnrollElement,
  displayName: 'StepUpEnroll',
  events: {
    onStepUpFactorAdded: 'step-up-factor-added' as EventName<StepUpFactorAddedEvent>,
    onStepUpError: 'step-up-error' as EventName<StepUpErrorEvent>,
  },
});

/** The props of {@link StepUpEnroll}. */
export type StepUpEnrollProps = React.ComponentProps<typeof StepUpEnroll>;
