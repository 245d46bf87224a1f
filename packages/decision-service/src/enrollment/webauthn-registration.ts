/**
 * WebAuthn registration with an enrollment ticket (docs/design/wire-contract.md "HTTP API (v1)"):
 * `POST /v1/enrollments/{ticket}/webauthn/options`, then `…/webauthn/verify`.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type {
  FactorAddedAnswer,
  WebAuthnRegistrationOptionsAnswer,
  WebAuthnRegistrationVerifyRequest,
} from '@stepgate/protocol';
import { judgeAttestation } from '../attestation/judge-attestation.js';
import { type ChallengeDeps, challengeFailed } from '../challenges/challenge-deps.js';
import { requireRpId, WEBAUTHN_CHALLENGE_MS, type WebAuthnContext } from '../challenges/webauthn.js';
import { checkClientData } from '../challenges/webauthn-challenge.js';
import { credentialData, type WebAuthnFactorData, webAuthnMaxLevel } from './credential-data.js';
import { MAX_CONFIRM_FAILURES } from './enrollment-service.js';
import { liveTicket } from './enrollment-ticket.js';
import { saveFactor } from './save-factor.js';

/** Body of `…/webauthn/options`: which method the new credential is for. @defaultValue 'webauthn' */
export interface WebAuthnRegistrationOptionsRequest {
  method?: 'webauthn' | 'biometric';
}

/** The WebAuthn user handle: SHA-256 of the user id, so the authenticator never holds the id itself. */
export const userHandle = (userId: string): Uint8Array<ArrayBuffer> =>
  new Uint8Array(createHash('sha256').update(`stepgate-user\0${userId}`).digest());

/**
 * Whether registration asks for the attestation statement (`direct`): with `requireAttestation`,
 * or when an allow-listed model has a trust anchor so that attestation can be proven at all.
 * Otherwise `none`, so that browsers need not ask the user's consent for it.
 */
function asksAttestation(wa: WebAuthnContext): boolean {
  const { requireAttestation, allowedAuthenticators } = wa.settings;
  return requireAttestation || allowedAuthenticators.some((aaguid) => wa.trust.roots(aaguid).length > 0);
}

/**
 * Registration options for a ticket: a fresh 32-byte challenge kept server-side for ≤ 5 min (S11),
 * the user's existing credentials excluded; `biometric` asks for a platform authenticator with
 * user verification; attestation is asked for (`direct`) when it can count (see `asksAttestation`).
 *
 * @throws StepgateError `not_found`; `invalid_request`; `service_unavailable` without WebAuthn config.
 * @example
 * const { publicKey } = await registrationOptions(deps, wa, 'enr_…', { method: 'webauthn' });
 */
export async function registrationOptions(
  deps: ChallengeDeps,
  wa: WebAuthnContext,
  ticketId: string,
  body: WebAuthnRegistrationOptionsRequest,
): Promise<WebAuthnRegistrationOptionsAnswer> {
  const method = body.method ?? 'webauthn';
  const t = await liveTicket(deps, ticketId, method);
  const rpID = requireRpId(wa.settings);
  const now = deps.now();
  const [user, factors] = await Promise.all([deps.store.getUser(t.userId), deps.store.listFactors(t.userId)]);
  const excludeCredentials = factors.flatMap((f) => {
    const d = credentialData(f);
    return d?.kind === 'webauthn' ? [{ id: d.credentialId }] : [];
  });
  const challenge = new Uint8Array(randomBytes(32));
  const uv = method === 'biometric';
  const expiresAt = Math.min(t.expiresAt, now + WEBAUTHN_CHALLENGE_MS);
  const options = await generateRegistrationOptions({
    rpName: wa.settings.rpName,
    rpID,
    userName: user?.email ?? user?.displayName ?? t.userId,
    userDisplayName: user?.displayName ?? user?.email ?? t.userId,
    userID: userHandle(t.userId),
    challenge,
    timeout: Math.min(wa.settings.timeout * 1000, expiresAt - now),
    attestationType: asksAttestation(wa) ? 'direct' : 'none',
    excludeCredentials,
    authenticatorSelection: {
      residentKey: 'preferred',
      userVerification: uv ? 'required' : 'preferred',
      ...(uv ? { authenticatorAttachment: 'platform' as const } : {}),
    },
  });
  await wa.store.putChallenge({
    key: ticketId,
    purpose: 'register',
    userId: t.userId,
    method,
    nonce: Buffer.from(challenge).toString('base64url'),
    userVerification: uv,
    expiresAt,
  });
  return { publicKey: options as unknown as WebAuthnRegistrationOptionsAnswer['publicKey'] };
}

/**
 * A short audit code for an error of `verifyRegistrationResponse` (its messages name the check).
 * The attestation statement's own checks (signature, certificate fields, format rules) give
 * `attestation_invalid`.
 */
function registrationFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  if (/User verification/i.test(message)) return 'user_verification';
  if (/not present/i.test(message)) return 'user_presence';
  if (/RP ID/i.test(message)) return 'rp_id';
  if (/\((Packed|FIDOU2F|AndroidKey|AndroidSafetyNet|Apple|TPM)|attestation|certificate/i.test(message)) {
    return 'attestation_invalid';
  }
  return 'invalid_registration';
}

/**
 * Verifies the registration response and adds the factor. The challenge is consumed first (S11);
 * origin, `crossOrigin` and `topOrigin` are checked here (S12). The credential reaches aal3 only
 * when device-bound and created with UV; backup-eligible credentials reach aal2 (S3); the factor
 * is stored at most at the level the ticket's step-up proved (S33, `newFactorLevel`). The factor
 * is `attested` only when its attestation chains to a trust anchor configured for an
 * allow-listed model (S36, see `judgeAttestation`); with `requireAttestation` any other
 * registration fails, and a model the FIDO metadata reports compromised always fails. Every
 * failure is audited as `factor.rejected` with its cause; the caller sees `challenge_failed`.
 *
 * @throws StepgateError `challenge_failed` (with `attemptsLeft`) for any failed check.
 * @example
 * const { factor } = await verifyRegistration(deps, wa, 'enr_…', { response, label: 'YubiKey' });
 */
export async function verifyRegistration(
  deps: ChallengeDeps,
  wa: WebAuthnContext,
  ticketId: string,
  body: WebAuthnRegistrationVerifyRequest,
): Promise<FactorAddedAnswer> {
  const taken = await wa.store.takeChallenge(ticketId, deps.now());
  const t = await liveTicket(deps, ticketId, taken?.method ?? 'webauthn');
  const fail = async (failure: string) => {
    const failures = await deps.challenges.recordTicketFailure(ticketId);
    deps.log.info({ ticket: ticketId.slice(0, 8), failure }, 'webauthn registration failed');
    await deps.events.append({
      type: 'factor.rejected',
      who: { userId: t.userId, ...(t.sessionId === undefined ? {} : { sessionId: t.sessionId }) },
      what: { method: taken?.method ?? 'webauthn' },
      outcome: 'failed',
      detail: { failure },
    });
    return challengeFailed(Math.max(0, MAX_CONFIRM_FAILURES - failures));
  };
  if (taken?.purpose !== 'register' || taken.userId !== t.userId) throw await fail('no_challenge');
  const response = body.response as unknown as RegistrationResponseJSON;
  const clientData = checkClientData(response?.response?.clientDataJSON, {
    type: 'webauthn.create',
    challenge: taken.nonce,
    origins: wa.settings.origins,
  });
  if (clientData !== undefined) throw await fail(clientData);
  let info: Extract<
    Awaited<ReturnType<typeof verifyRegistrationResponse>>,
    { verified: true }
  >['registrationInfo'];
  try {
    const verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: taken.nonce,
      expectedOrigin: [...wa.settings.origins],
      expectedRPID: requireRpId(wa.settings),
      requireUserVerification: taken.userVerification,
    });
    // The library answers `verified: false` only when the statement's signature does not verify.
    if (!verified.verified) throw new Error('the attestation statement signature does not verify');
    info = verified.registrationInfo;
  } catch (error) {
    deps.log.info(
      { err: error instanceof Error ? error.message : String(error) },
      'registration refused by the library',
    );
    throw await fail(registrationFailure(error));
  }
  const attestation = judgeAttestation(wa.trust, wa.settings.allowedAuthenticators, info, deps.now());
  if (attestation.refuse || (wa.settings.requireAttestation && !attestation.attested)) {
    throw await fail(attestation.reason);
  }
  const attested = attestation.attested;
  const backupEligible = info.credentialDeviceType === 'multiDevice';
  const data: WebAuthnFactorData = {
    kind: 'webauthn',
    credentialId: info.credential.id,
    publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
    backupEligible,
    userVerified: info.userVerified,
    attested,
    aaguid: info.aaguid,
    fmt: info.fmt,
    ...(info.credential.transports ? { transports: info.credential.transports } : {}),
  };
  const factor = await saveFactor(deps, wa, {
    ticket: t,
    method: taken.method,
    credentialLevel: webAuthnMaxLevel({ backupEligible, userVerified: info.userVerified }),
    data,
    counter: info.credential.counter,
    backupState: info.credentialBackedUp,
    ...(body.label === undefined ? {} : { label: body.label }),
  });
  if (!factor) throw await fail('credential_exists');
  return { factor };
}
