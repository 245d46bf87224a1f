/**
 * Defines `<step-up-challenge>` (the only module that calls `customElements.define` for it).
 * Importing `@stepgate/web-widget` runs it; defining twice is a no-op.
 */
import { StepUpChallenge } from './step-up-challenge/step-up-challenge.js';
import { TAG_CHALLENGE } from './tags.js';

// Server-side rendering has no registry (or Lit's shim): skip, the browser defines it on hydration.
if (globalThis.customElements && !customElements.get(TAG_CHALLENGE))
  customElements.define(TAG_CHALLENGE, StepUpChallenge);

declare global {
  interface HTMLElementTagNameMap {
    'step-up-challenge': StepUpChallenge;
  }
}
