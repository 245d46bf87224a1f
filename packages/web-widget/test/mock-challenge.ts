/**
 * msw handlers that play the service's challenge routes (docs/design/wire-contract.md "HTTP API (v1)") for one
 * challenge. Every request and answer is checked against the protocol schemas. WebAuthn
 * assertions are checked for structure only (type, challenge, origin, credential id): the
 * signature is the service's job, tested in its own package.
 */
import type {
  ChallengeMethodView,
  ChallengeView,
  Method,
  StepUpInfo,
  Transaction,
  VerifyAnswer,
} from '@stepgate/protocol';
import { HttpResponse, http } from 'msw';
import { BASE, randomB64u, readClientData, worker } from './msw.js';
import { assertValid } from './schemas.js';

/** Options of {@link mockChallenge}. */
export interface MockChallengeOptions {
  methods?: ChallengeMethodView[];
  action?: string;
  /** The policies' labels of the action, by language. */
  actionLabel?: Record<string, string>;
  transaction?: Transaction;
  attemptsLeft?: number;
  /** @defaultValue 300_000 */
  expiresInMs?: number;
  status?: ChallengeView['status'];
  /** The right code for totp, email and sms. @defaultValue '123456' */
  code?: string;
  /** @defaultValue 30 */
  resendAfter?: number;
  deviceToken?: string;
  /** Credential ids for `allowCredentials` (read at each start). */
  credentialIds?: () => string[];
  /** The start answer for webauthn/biometric waits this long (lets a test cancel). */
  startDelayMs?: number;
  /** Where the service (or proxy) lives. @defaultValue the page's origin + `/stepgate` */
  base?: string;
}

/** A mocked challenge: what the page gets, and what the service saw. */
export interface MockChallenge {
  info: StepUpInfo;
  url: string;
  requests: Array<{ path: 'start' | 'verify'; body: Record<string, unknown> }>;
  /** Codes "sent" by email or SMS, newest last. */
  sent: string[];
}

const failed = (attemptsLeft: number) =>
  HttpResponse.json(
    assertValid('challengeFailed', {
      error: { code: 'challenge_failed', message: 'Verification failed', attemptsLeft },
    }),
    { status: 400 },
  );

/** Registers the handlers of one challenge on the worker. */
export function mockChallenge(options: MockChallengeOptions = {}): MockChallenge {
  const id = `chl_${randomB64u(18)}`;
  const url = `${options.base ?? BASE}/v1/challenges/${id}`;
  const methods = options.methods ?? [{ method: 'totp' }];
  const expiresAt = new Date(Date.now() + (options.expiresInMs ?? 300_000)).toISOString();
  const code = options.code ?? '123456';
  let attemptsLeft = options.attemptsLeft ?? 5;
  let webauthnChallenge = '';
  const mock: MockChallenge = {
    info: {
      challengeId: id,
      challengeUrl: url,
      acr: 'urn:stepgate:aal2',
      maxAge: 0,
      methods: methods.map((m) => m.method),
      expiresAt,
    },
    url,
    requests: [],
    sent: [],
  };
  const answer = (method: Method): VerifyAnswer => ({
    token: `eyJ0eXAiOiJzdGVwdXArand0In0.${randomB64u(24)}.${randomB64u(32)}`,
    acr: 'urn:stepgate:aal2',
    amr: method === 'webauthn' || method === 'biometric' ? ['swk', 'user', 'mfa'] : ['otp'],
    expiresAt: new Date(Date.now() + 120_000).toISOString(),
    ...(options.deviceToken ? { deviceToken: options.deviceToken } : {}),
  });
  worker.use(
    http.get(url, () => {
      const view: ChallengeView = {
        id,
        status: options.status ?? 'pending',
        action: options.action ?? 'payments.transfer',
        ...(options.actionLabel ? { actionLabel: options.actionLabel } : {}),
        ...(options.transaction ? { transaction: options.transaction } : {}),
        level: 'aal2',
        acr: 'urn:stepgate:aal2',
        methods,
        attemptsLeft,
        expiresAt,
      };
      return HttpResponse.json(assertValid('challengeView', view));
    }),
    http.post(`${url}/start`, async ({ request }) => {
      const body = assertValid('startRequest', (await request.json()) as { method: Method });
      mock.requests.push({ path: 'start', body });
      const view = methods.find((m) => m.method === body.method);
      if (!view) return failed(attemptsLeft);
      if (body.method === 'totp') return HttpResponse.json({});
      if (body.method === 'email_otp' || body.method === 'sms_otp') {
        mock.sent.push(code);
        const sent = { sentTo: view.destination ?? '•••', resendAfter: options.resendAfter ?? 30 };
        return HttpResponse.json(assertValid('codeSentAnswer', sent));
      }
      if (options.startDelayMs) await new Promise((r) => setTimeout(r, options.startDelayMs));
      webauthnChallenge = randomB64u(32);
      const publicKey = {
        challenge: webauthnChallenge,
        rpId: location.hostname,
        timeout: 60_000,
        userVerification: 'required',
        allowCredentials: (options.credentialIds?.() ?? []).map((cid) => ({ id: cid, type: 'public-key' })),
      };
      return HttpResponse.json(assertValid('webAuthnStartAnswer', { publicKey }));
    }),
    http.post(`${url}/verify`, async ({ request }) => {
      const body = assertValid('verifyRequest', (await request.json()) as Record<string, unknown>);
      mock.requests.push({ path: 'verify', body });
      const method = body.method as Method;
      let ok = attemptsLeft > 0 && methods.some((m) => m.method === method);
      if ('code' in body) ok &&= body.code === code;
      else if ('deviceKey' in body) ok &&= (body.deviceKey as { keyId?: string }).keyId === 'device-key-1';
      else {
        const response = body.response as {
          id: string;
          response: { clientDataJSON: string; signature: string };
        };
        const data = readClientData(response.response.clientDataJSON);
        ok &&=
          data.type === 'webauthn.get' &&
          data.challenge === webauthnChallenge &&
          data.origin === location.origin &&
          typeof response.response.signature === 'string' &&
          (options.credentialIds?.() ?? [response.id]).includes(response.id);
      }
      if (!ok) {
        attemptsLeft = Math.max(0, attemptsLeft - 1);
        return failed(attemptsLeft);
      }
      return HttpResponse.json(assertValid('verifyAnswer', answer(method)));
    }),
  );
  return mock;
}
