import type { WidgetError } from '../errors.js';
import type { ChallengeMessages } from '../i18n/messages.js';

/** The message shown for an error. S10: a failed check never says why, only how many attempts are left. */
export function errorText(error: WidgetError, m: ChallengeMessages): string {
  switch (error.code) {
    case 'challenge_failed':
      return m.failed(error.attemptsLeft ?? 0);
    case 'locked':
      return m.locked;
    case 'expired':
      return m.expired;
    case 'network_error':
      return m.network;
    case 'webauthn_cancelled':
      return m.webauthnCancelled;
    case 'webauthn_unavailable':
    case 'native_failed':
      return m.webauthnUnavailable;
    default:
      return m.failed(0);
  }
}
