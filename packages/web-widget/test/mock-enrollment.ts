/**
 * msw handlers that play the service's enrollment routes for one ticket, every body checked
 * against the protocol schemas. A WebAuthn registration is checked for structure (type,
 * challenge, origin); the registered credential ids feed {@link mockChallenge}'s
 * `allowCredentials`, so a passkey made here is the one the challenge asks for.
 */
import type { EnrollmentView, FactorView, Method } from '@stepgate/protocol';
import { HttpResponse, http } from 'msw';
import { BASE, randomB64u, readClientData, worker } from './msw.js';
import { assertValid } from './schemas.js';

/** A mocked enrollment ticket and what the service saw. */
export interface MockEnrollment {
  ticket: string;
  url: string;
  factors: FactorView[];
  /** WebAuthn credential ids registered through this ticket. */
  credentialIds: string[];
  secret: string;
}

/** The right confirming code for the mocked TOTP secret. */
export const TOTP_CODE = '287082';

/** Options of {@link mockEnrollment}. */
export interface MockEnrollmentOptions {
  methods?: Method[];
  factors?: FactorView[];
  displayName?: string;
  base?: string;
  /** Credentials the user already has (sent as `excludeCredentials`). */
  credentialIds?: string[];
}

/** Registers the handlers of one ticket on the worker. */
export function mockEnrollment(options: MockEnrollmentOptions = {}): MockEnrollment {
  const ticket = `enr_${randomB64u(18)}`;
  const url = `${options.base ?? BASE}/v1/enrollments/${ticket}`;
  const mock: MockEnrollment = {
    ticket,
    url,
    factors: [...(options.factors ?? [])],
    credentialIds: [...(options.credentialIds ?? [])],
    secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  };
  let challenge = '';
  let spent = false;
  const added = (method: Method, label: string) => {
    spent = true; // as the service: a ticket adds one factor, then every route answers 404
    const factor: FactorView = {
      id: `fac_${randomB64u(9)}`,
      method,
      label,
      maxLevel: 'aal2',
      createdAt: new Date().toISOString(),
    };
    mock.factors.push(factor);
    return HttpResponse.json(assertValid('factorAdded', { factor }));
  };
  const failed = () =>
    HttpResponse.json(
      assertValid('challengeFailed', {
        error: { code: 'challenge_failed', message: 'Failed', attemptsLeft: 4 },
      }),
      { status: 400 },
    );
  const gone = () =>
    HttpResponse.json(
      assertValid('errorBody', {
        error: { code: 'not_found', message: 'no such enrollment ticket, or it was used or expired' },
      }),
      { status: 404 },
    );
  worker.use(
    http.all(`${url}*`, () => (spent ? gone() : undefined)),
    http.get(url, () => {
      const view: EnrollmentView = {
        userId: 'user-1',
        displayName: options.displayName ?? 'Alice Martin',
        methods: options.methods ?? ['totp', 'webauthn'],
        factors: mock.factors,
        expiresAt: new Date(Date.now() + 600_000).toISOString(),
      };
      return HttpResponse.json(assertValid('enrollmentView', view));
    }),
    http.post(`${url}/totp`, () =>
      HttpResponse.json(
        assertValid('totpEnrollment', {
          secret: mock.secret,
          otpauthUri: `otpauth://totp/Stepgate:alice?secret=${mock.secret}&issuer=Stepgate&algorithm=SHA1&digits=6&period=30`,
        }),
      ),
    ),
    http.post(`${url}/totp/confirm`, async ({ request }) => {
      const body = assertValid('totpConfirmRequest', (await request.json()) as { code: string });
      return body.code === TOTP_CODE ? added('totp', 'Authenticator app') : failed();
    }),
    http.post(`${url}/webauthn/options`, () => {
      challenge = randomB64u(32);
      const publicKey = {
        challenge,
        rp: { id: location.hostname, name: 'Stepgate test' },
        user: { id: randomB64u(16), name: 'alice', displayName: 'Alice Martin' },
        pubKeyCredParams: [
          { type: 'public-key', alg: -7 },
          { type: 'public-key', alg: -257 },
        ],
        timeout: 60_000,
        attestation: 'none',
        excludeCredentials: mock.credentialIds.map((id) => ({ id, type: 'public-key' })),
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
      };
      return HttpResponse.json(assertValid('webAuthnRegistrationOptions', { publicKey }));
    }),
    http.post(`${url}/webauthn/verify`, async ({ request }) => {
      const body = assertValid(
        'webAuthnRegistrationVerify',
        (await request.json()) as {
          response: { id: string; response: { clientDataJSON: string; attestationObject: string } };
          label?: string;
        },
      );
      const data = readClientData(body.response.response.clientDataJSON);
      const ok =
        data.type === 'webauthn.create' &&
        data.challenge === challenge &&
        data.origin === location.origin &&
        typeof body.response.response.attestationObject === 'string';
      if (!ok) return failed();
      mock.credentialIds.push(body.response.id);
      return added('webauthn', body.label ?? 'Passkey');
    }),
  );
  return mock;
}
