/**
 * Defines `<step-up-enroll>` (the only module that calls `customElements.define` for it).
 * Importing `@stepgate/web-widget/enroll` runs it; defining twice is a no-op.
 */
import { TAG_ENROLL } from '../tags.js';
import { StepUpEnroll } from './step-up-enroll.js';

// Server-side rendering has no registry (or Lit's shim): skip, the browser defines it on hydration.
if (globalThis.customElements && !customElements.get(TAG_ENROLL))
  customElements.define(TAG_ENROLL, StepUpEnroll);

declare global {
  interface HTMLElementTagNameMap {
    'step-up-enroll': StepUpEnroll;
  }
}
