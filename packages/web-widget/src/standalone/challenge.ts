/**
 * The standalone `<script type="module">` build of `<step-up-challenge>`: lit, sdk-core,
 * protocol and @simplewebauthn/browser inlined, minified (dist/standalone/step-up-challenge.min.js).
 * Loading it defines the element; `stepUp()` is exported for pages that call it directly.
 */
import '../define.js';

export { stepUp } from '../step-up-challenge/step-up.js';
export { StepUpChallenge } from '../step-up-challenge/step-up-challenge.js';
