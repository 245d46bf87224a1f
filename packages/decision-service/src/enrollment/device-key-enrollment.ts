/**
 * `POST /v1/enrollments/{ticket}/device-key`: a native app registers the P-256 public key it made
 * in the phone's secure hardware (docs/design/wire-contract.md "HTTP API (v1)"), for the webview biometric path.
 */
import { randomBytes } from 'node:crypto';
import {
  type DeviceKeyEnrollmentRequest,
  type FactorView,
  type Level,
  levelAtLeast,
  StepgateError,
} from '@stepgate/protocol';
import type { ChallengeDeps } from '../challenges/challenge-deps.js';
import { importDeviceKey } from '../challenges/device-key.js';
import type { WebAuthnContext } from '../challenges/webauthn.js';
import { liveTicket } from './enrollment-ticket.js';
import { saveFactor } from './save-factor.js';

/** Answer of the device-key enrollment: the factor and the `keyId` the app sends with each signature. */
export interface DeviceKeyEnrollmentAnswer {
  factor: FactorView;
  keyId: string;
}

/**
 * Adds a device key as a `biometric` factor. Its level is the policy's level of `biometric`,
 * capped at aal2: nothing proves the key lives in hardware or that a biometric gesture unlocks it;
 * and at the level the ticket's step-up proved (S33, see `newFactorLevel`).
 *
 * @throws StepgateError `not_found` for a dead ticket; `invalid_request` for a ticket without
 *   `biometric` or a key that is not a P-256 public key.
 * @example
 * const { keyId } = await enrollDeviceKey(deps, wa, 'enr_…', { publicKey: jwk, label: 'Pixel 9' });
 */
export async function enrollDeviceKey(
  deps: ChallengeDeps,
  wa: WebAuthnContext,
  ticketId: string,
  body: DeviceKeyEnrollmentRequest,
): Promise<DeviceKeyEnrollmentAnswer> {
  const ticket = await liveTicket(deps, ticketId, 'biometric');
  importDeviceKey(body.publicKey);
  const keyId = `dk_${randomBytes(16).toString('base64url')}`;
  const policyLevel = deps.methodLevels().biometric;
  const credentialLevel: Level = levelAtLeast(policyLevel, 'aal2') ? 'aal2' : policyLevel;
  const { kty, crv, x, y } = body.publicKey;
  const factor = await saveFactor(deps, wa, {
    ticket,
    method: 'biometric',
    credentialLevel,
    data: { kind: 'device-key', keyId, publicKey: { kty, crv, x, y } },
    label: body.label,
  });
  if (!factor) throw new StepgateError('not_found', 'no such enrollment ticket, or it was used or expired');
  return { factor, keyId };
}
