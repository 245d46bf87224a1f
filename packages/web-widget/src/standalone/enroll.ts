/**
 * The standalone `<script type="module">` build of `<step-up-enroll>` (with the QR encoder and
 * French), minified: dist/standalone/step-up-enroll.min.js. Loading it defines the element.
 */
import '../enroll/define.js';
import '../i18n/add-fr.js';

export { StepUpEnroll } from '../enroll/step-up-enroll.js';
