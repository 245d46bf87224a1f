/**
 * The WebAuthn ceremony for the standalone challenge bundle (dist/standalone/step-up-webauthn.min.js):
 * @simplewebauthn/browser and sdk-core's native bridge, loaded on demand the first time a user
 * picks a security key, passkey or biometric method (package.json `stepgate.lazy`), so the
 * challenge bundle keeps to docs/design/README.md's 15 KiB budget.
 */
export { webauthnCeremony } from '../step-up-challenge/webauthn-ceremony.js';
