/**
 * @stepgate/web-widget/enroll — `<step-up-enroll>` (defined on import): add an authenticator
 * app (TOTP, with a QR code) or a passkey with an enrollment ticket.
 * @packageDocumentation
 */
import './define.js';
import '../i18n/add-fr.js';

export {
  confirmTotpEnrollment,
  enrollmentUrlFor,
  getEnrollment,
  startTotpEnrollment,
  verifyWebAuthnRegistration,
  webAuthnRegistrationOptions,
} from '../api-client.js';
export { StepUpErrorEvent, StepUpFactorAddedEvent } from '../events.js';
export { enEnroll } from '../i18n/en.js';
export { frEnroll } from '../i18n/fr.js';
export { groupSecret, qrDataUrl } from './qr-code.js';
export { StepUpEnroll } from './step-up-enroll.js';
