import type { Method } from '@stepgate/protocol';
import { html, type TemplateResult } from 'lit';
import type { ChallengeMessages } from '../../i18n/messages.js';

/** The prompt and button that start a WebAuthn (security key, passkey) or biometric check. */
export function webauthnView(
  method: Method,
  busy: boolean,
  m: ChallengeMessages,
  run: () => void,
): TemplateResult {
  return html`<div part="webauthn">
    <p>${method === 'biometric' ? m.biometricPrompt : m.webauthnPrompt}</p>
    <button part="submit" type="button" autofocus ?disabled=${busy} aria-busy=${busy ? 'true' : 'false'} @click=${run}>
      ${busy ? m.verifying : m.methods[method]}
    </button>
  </div>`;
}
