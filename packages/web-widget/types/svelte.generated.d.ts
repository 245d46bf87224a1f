// Generated from custom-elements.json by scripts/framework-types.mjs: do not edit.
import type { StepUpCancelEvent, StepUpChallenge, StepUpCompleteEvent, StepUpErrorEvent, StepUpFactorAddedEvent, StepUpMethodChangeEvent } from '@stepgate/web-widget';
import type { StepUpEnroll } from '@stepgate/web-widget/enroll';
import type { HTMLAttributes } from 'svelte/elements';

/** Props of `<step-up-enroll>`. Adds sign-in factors with an enrollment ticket from `POST /v1/enrollments`: shows the user's
 * existing factors, registers an authenticator app (QR code of the `otpauth://` URI and the
 * secret for manual entry, then a confirming code) or a passkey (WebAuthn registration). */
export interface StepUpEnrollSvelteProps {
  /** The enrollment ticket `enr_…` (with `service-url`). */
  ticket?: StepUpEnroll['ticket'];
  /** Base URL of the service or the app's proxy. */
  serviceUrl?: StepUpEnroll['serviceUrl'];
  /** The absolute enrollment URL (instead of the two above). */
  enrollmentUrl?: StepUpEnroll['enrollmentUrl'];
  /** Origins besides the page's own that the enrollment URL may be on, separated by spaces; any other origin is refused with `origin_not_allowed` before a request is made. */
  allowedOrigins?: StepUpEnroll['allowedOrigins'];
  /** Force a colour scheme; default follows `prefers-color-scheme`. */
  theme?: StepUpEnroll['theme'];
  /** Replaces single strings of the message table. */
  messages?: StepUpEnroll['messages'];
  /** Base URL of the service or the app's proxy. */
  'service-url'?: StepUpEnroll['serviceUrl'];
  /** The absolute enrollment URL (instead of the two above). */
  'enrollment-url'?: StepUpEnroll['enrollmentUrl'];
  /** Origins besides the page's own that the enrollment URL may be on, separated by spaces; any other origin is refused with `origin_not_allowed` before a request is made. */
  'allowed-origins'?: StepUpEnroll['allowedOrigins'];
  /** A factor was added (`event.factor`). */
  'onstep-up-factor-added'?: (event: StepUpFactorAddedEvent) => void;
  /** A step failed or the ticket expired. */
  'onstep-up-error'?: (event: StepUpErrorEvent) => void;
  'on:step-up-factor-added'?: (event: StepUpFactorAddedEvent) => void;
  'on:step-up-error'?: (event: StepUpErrorEvent) => void;
}

/** Props of `<step-up-challenge>`. Runs one Stepgate step-up challenge: loads it, shows the server's copy of the transaction
 * (S18), lets the user pick an allowed method and verifies it. A modal dialog by default;
 * the first one connected to the page becomes sdk-core's step-up handler. */
export interface StepUpChallengeSvelteProps {
  /** The `stepUp` member of a step-up answer. */
  challenge?: StepUpChallenge['challenge'];
  /** Base URL of the service or the app's proxy (with `challenge-id`). */
  serviceUrl?: StepUpChallenge['serviceUrl'];
  /** The challenge id `chl_…` (with `service-url`). */
  challengeId?: StepUpChallenge['challengeId'];
  /** The absolute challenge URL (instead of the two above). */
  challengeUrl?: StepUpChallenge['challengeUrl'];
  /** Origins besides the page's own that the challenge URL may be on, separated by spaces (`https://auth.example.com`); any other origin is refused with `origin_not_allowed` before a request is made. */
  allowedOrigins?: StepUpChallenge['allowedOrigins'];
  /** The modal dialog is open. */
  open?: StepUpChallenge['open'];
  /** Render in the page flow instead of a modal dialog. */
  inline?: StepUpChallenge['inline'];
  /** Offer a "remember this device" box with code methods. */
  rememberDevice?: StepUpChallenge['rememberDevice'];
  /** Force a colour scheme; default follows `prefers-color-scheme`. */
  theme?: StepUpChallenge['theme'];
  /** Replaces single strings of the message table. */
  messages?: StepUpChallenge['messages'];
  /** Base URL of the service or the app's proxy (with `challenge-id`). */
  'service-url'?: StepUpChallenge['serviceUrl'];
  /** The challenge id `chl_…` (with `service-url`). */
  'challenge-id'?: StepUpChallenge['challengeId'];
  /** The absolute challenge URL (instead of the two above). */
  'challenge-url'?: StepUpChallenge['challengeUrl'];
  /** Origins besides the page's own that the challenge URL may be on, separated by spaces (`https://auth.example.com`); any other origin is refused with `origin_not_allowed` before a request is made. */
  'allowed-origins'?: StepUpChallenge['allowedOrigins'];
  /** Offer a "remember this device" box with code methods. */
  'remember-device'?: StepUpChallenge['rememberDevice'];
  /** Verified; `event.answer.token` is the upgraded token. */
  'onstep-up-complete'?: (event: StepUpCompleteEvent) => void;
  /** The user cancelled (cancelable). */
  'onstep-up-cancel'?: (event: StepUpCancelEvent) => void;
  /** A check failed, the challenge expired or locked, or the service is unreachable. */
  'onstep-up-error'?: (event: StepUpErrorEvent) => void;
  /** The user picked a method. */
  'onstep-up-method-change'?: (event: StepUpMethodChangeEvent) => void;
  'on:step-up-complete'?: (event: StepUpCompleteEvent) => void;
  'on:step-up-cancel'?: (event: StepUpCancelEvent) => void;
  'on:step-up-error'?: (event: StepUpErrorEvent) => void;
  'on:step-up-method-change'?: (event: StepUpMethodChangeEvent) => void;
}

declare module 'svelte/elements' {
  interface SvelteHTMLElements {
    'step-up-enroll': HTMLAttributes<StepUpEnroll> & StepUpEnrollSvelteProps;
    'step-up-challenge': HTMLAttributes<StepUpChallenge> & StepUpChallengeSvelteProps;
  }
}
