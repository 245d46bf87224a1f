/**
 * The decision service's challenge and enrollment routes for one page, answered from Node
 * through Playwright's request interception (no port, no network). Every request and answer is
 * checked against the protocol's JSON Schemas, so this fake cannot drift from the wire contract.
 */
import type {
  ChallengeView,
  EnrollmentView,
  FactorView,
  StepUpInfo,
  TotpEnrollmentAnswer,
  VerifyAnswer,
} from '@stepgate/protocol';
import { assertValid, type SchemaName } from '../schemas.js';

/** The page's origin: `localhost` is a secure context, as a real deployment over HTTPS is. */
export const ORIGIN = 'http://localhost';
/** The right code for every challenge and the TOTP enrollment. */
export const CODE = '123456';
export const DISPLAY_NAME = 'Alice Martin';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

/** One request the widget made to the service. */
export interface ServiceCall {
  method: string;
  path: string;
  body?: unknown;
}

/** An answer for Playwright's `route.fulfill`. */
export interface ServiceAnswer {
  status: number;
  json: unknown;
}

const inFive = () => new Date(Date.now() + 300_000).toISOString();
const ok = (name: SchemaName, json: unknown): ServiceAnswer => ({
  status: 200,
  json: assertValid(name, json),
});
const failed = (): ServiceAnswer => ({
  status: 400,
  json: assertValid('challengeFailed', {
    error: { code: 'challenge_failed', message: 'Failed', attemptsLeft: 4 },
  }),
});

/** A fake Stepgate: TOTP challenges (any `chl_…` id) and one enrollment ticket. */
export class FakeStepgate {
  readonly calls: ServiceCall[] = [];
  readonly factors: FactorView[] = [];
  readonly ticket = 'enr_standaloneBundleTicket';
  readonly enrollmentUrl = `${ORIGIN}/stepgate/v1/enrollments/${this.ticket}`;

  /** The `stepUp` member of a step-up answer, as the app's backend hands it to the page. */
  challenge(id: string): StepUpInfo {
    return {
      challengeId: id,
      challengeUrl: `${ORIGIN}/stepgate/v1/challenges/${id}`,
      acr: 'urn:stepgate:aal2',
      maxAge: 0,
      methods: ['totp'],
      expiresAt: inFive(),
    };
  }

  /** Answers a request under `/stepgate/`, or `undefined` when no route matches. */
  handle(method: string, path: string, body: unknown): ServiceAnswer | undefined {
    this.calls.push(body === undefined ? { method, path } : { method, path, body });
    const challenge = /^\/stepgate\/v1\/challenges\/(chl_[\w-]+)(\/verify|\/start)?$/.exec(path);
    if (challenge?.[1]) return this.#challenge(method, challenge[1], challenge[2], body);
    if (path.startsWith(new URL(this.enrollmentUrl).pathname)) {
      return this.#enrollment(method, path.slice(new URL(this.enrollmentUrl).pathname.length), body);
    }
    return undefined;
  }

  #challenge(method: string, id: string, sub: string | undefined, body: unknown): ServiceAnswer | undefined {
    if (method === 'GET' && !sub) {
      const view: ChallengeView = {
        id,
        status: 'pending',
        action: 'payments.transfer',
        actionLabel: { en: 'Transfer money', fr: 'Virement' },
        transaction: { amount: 900, currency: 'EUR', payee: 'ACME Rent' },
        level: 'aal2',
        acr: 'urn:stepgate:aal2',
        // `chl_passkey…` challenges offer a passkey too (the WebAuthn sibling bundle's test).
        methods: id.startsWith('chl_passkey')
          ? [{ method: 'totp' }, { method: 'webauthn' }]
          : [{ method: 'totp' }],
        attemptsLeft: 5,
        expiresAt: inFive(),
      };
      return ok('challengeView', view);
    }
    if (method === 'POST' && sub === '/start' && id.startsWith('chl_passkey')) {
      const publicKey = {
        challenge: 'c3RhbmRhbG9uZS13ZWJhdXRobi1jaGFsbGVuZ2U',
        rpId: 'localhost',
        timeout: 60_000,
        userVerification: 'required',
        allowCredentials: [{ id: 'bm8tc3VjaC1jcmVkZW50aWFs', type: 'public-key' }],
      };
      return ok('webAuthnStartAnswer', { publicKey });
    }
    if (method === 'POST' && sub === '/verify') {
      const request = assertValid('verifyRequest', body as { method: string; code?: string });
      if (request.code !== CODE) return failed();
      const answer: VerifyAnswer = {
        token: `step-up-token-for-${id}`,
        acr: 'urn:stepgate:aal2',
        amr: ['otp'],
        expiresAt: new Date(Date.now() + 120_000).toISOString(),
      };
      return ok('verifyAnswer', answer);
    }
    return undefined;
  }

  #enrollment(method: string, sub: string, body: unknown): ServiceAnswer | undefined {
    if (method === 'GET' && sub === '') {
      const view: EnrollmentView = {
        userId: 'user-1',
        displayName: DISPLAY_NAME,
        methods: ['totp', 'webauthn'],
        factors: this.factors,
        expiresAt: inFive(),
      };
      return ok('enrollmentView', view);
    }
    if (method === 'POST' && sub === '/totp') {
      const answer: TotpEnrollmentAnswer = {
        secret: SECRET,
        otpauthUri: `otpauth://totp/Stepgate:alice?secret=${SECRET}&issuer=Stepgate`,
      };
      return ok('totpEnrollment', answer);
    }
    if (method === 'POST' && sub === '/totp/confirm') {
      const request = assertValid('totpConfirmRequest', body as { code: string });
      if (request.code !== CODE) return failed();
      const factor: FactorView = {
        id: `fac_${this.factors.length + 1}`,
        method: 'totp',
        label: 'Authenticator app',
        maxLevel: 'aal2',
        createdAt: new Date().toISOString(),
      };
      this.factors.push(factor);
      return ok('factorAdded', { factor });
    }
    return undefined;
  }
}
