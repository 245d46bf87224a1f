/**
 * The standalone `<script type="module">` build of `<step-up-challenge>`: lit, sdk-core's handler
 * registry, protocol and @simplewebauthn/browser inlined, minified
 * (dist/standalone/step-up-challenge.min.js, also `@stepgate/web-widget/standalone/challenge.js`).
 * Loading it defines the element. It exports `stepUp()` for pages that run a challenge
 * themselves, and `createStepUpFetch` so a page without a bundler does the whole flow from this
 * one URL (README "Without a bundler"); the fetch flow itself loads on demand from the sibling
 * `step-up-fetch.min.js`, which also exports `isStepUpError`.
 */
import '../define.js';

export { stepUp } from '../step-up-challenge/step-up.js';
export { StepUpChallenge } from '../step-up-challenge/step-up-challenge.js';
export { createStepUpFetch } from './lazy-fetch.js';
