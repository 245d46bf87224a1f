/**
 * Typed events of the widgets. All bubble and cross shadow roots (`composed`), and are listed in
 * `GlobalEventHandlersEventMap` so `addEventListener('step-up-complete', (e) => e.answer)` is typed.
 */
import type { FactorView, Method, VerifyAnswer } from '@stepgate/protocol';
import type { WidgetError } from './errors.js';

const init = { bubbles: true, composed: true };

/** `step-up-complete`: the challenge was verified; `answer.token` goes in the `Step-Up-Token` header. */
export class StepUpCompleteEvent extends Event {
  constructor(
    readonly answer: VerifyAnswer,
    readonly method: Method,
  ) {
    super('step-up-complete', init);
  }
}

/** `step-up-cancel`: the user closed the challenge. Cancelable: `preventDefault()` keeps it open. */
export class StepUpCancelEvent extends Event {
  constructor() {
    super('step-up-cancel', { ...init, cancelable: true });
  }
}

/** `step-up-error`: a verification failed, the challenge expired or locked, or the service was unreachable. */
export class StepUpErrorEvent extends Event {
  constructor(readonly error: WidgetError) {
    super('step-up-error', init);
  }
}

/** `step-up-method-change`: the user picked another method. */
export class StepUpMethodChangeEvent extends Event {
  constructor(readonly method: Method) {
    super('step-up-method-change', init);
  }
}

/** `step-up-factor-added`: `<step-up-enroll>` added a factor. */
export class StepUpFactorAddedEvent extends Event {
  constructor(readonly factor: FactorView) {
    super('step-up-factor-added', init);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'step-up-complete': StepUpCompleteEvent;
    'step-up-cancel': StepUpCancelEvent;
    'step-up-error': StepUpErrorEvent;
    'step-up-method-change': StepUpMethodChangeEvent;
    'step-up-factor-added': StepUpFactorAddedEvent;
  }
}
