/**
 * The guards in front of a step-up an identity provider performs (issue 21, docs/idp.md): the real
 * decision service, a real OpenID provider (oidc-provider), Express with the guard, and the
 * RFC 9470 client parser of oauth4webapi reading our 401.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { type RunningService, startDecisionService } from '@stepgate/decision-service';
import {
  type ProviderStepUpAnswerBody,
  parseStepUpChallenge,
  providerStepUpAnswerSchema,
  type StepUpAnswerBody,
} from '@stepgate/protocol';
import { Ajv } from 'ajv';
import * as formatsModule from 'ajv-formats';
import express from 'express';
import { allowInsecureRequests, protectedResourceRequest, WWWAuthenticateChallengeError } from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIdp, type TestIdp } from '../../../tools/test-idp.js';
import { stepgateExpress } from '../src/express/index.js';
import { createStepgate } from '../src/index.js';

const formats = (formatsModule as unknown as { default: (ajv: Ajv) => void }).default;
const ajv = new Ajv({ strict: true, allErrors: true });
formats(ajv);
const validProviderBody = ajv.compile(providerStepUpAnswerSchema);

const POLICY = `
policies:
  - id: sso-transfer
    when: { action: payments.transfer }
    require: { level: aal2, maxAge: 0, bindTransaction: true, performer: idp:corp }
  - id: profile
    when: { action: profile.update }
    require: { level: aal1, maxAge: 5m, performer: any }
  - id: admin-area
    when: { action: "admin.**" }
    require: { level: aal2, maxAge: 15m }
  - id: keys-with-a-passkey
    when: { action: admin.keys.rotate }
    require: { level: aal2, maxAge: 15m, methods: [webauthn] }
default: allow
`;

let idp: TestIdp;
let svc: RunningService;
let url: string;
let close: () => Promise<void>;

beforeAll(async () => {
  idp = await startTestIdp({ apiAudience: 'api://bank' });
  svc = await startDecisionService({
    port: 0,
    policies: POLICY,
    watchPolicies: false,
    config: {
      idps: [
        {
          id: 'corp',
          name: 'Corp SSO',
          issuer: idp.issuer,
          clientId: 'bank-app',
          acrMap: { 'urn:corp:pwd': 'aal1', 'urn:corp:mfa': 'aal2' },
        },
      ],
    },
  });
  const stepgate = createStepgate({ serviceUrl: svc.url, apiKey: svc.apiKey, timeoutMs: 5000 });
  await stepgate.upsertUser('alice', { email: 'alice@example.com' });
  const sg = stepgateExpress(stepgate, {
    getSubject: () => ({ id: 'alice', sessionId: 's1', acr: 'aal1' }),
    // Stands in for the app's session, where its OIDC callback keeps the newest ID token.
    idpToken: (req) => req.get('x-test-id-token'),
    proxy: { publicOrigin: 'https://bank.example' },
  });
  const app = express();
  app.post(
    '/transfer',
    express.json(),
    sg.requireStepUp({ action: 'payments.transfer', transaction: (r) => r.body }),
    (_q, s) => {
      s.json({ ok: true });
    },
  );
  app.post('/profile', sg.requireStepUp({ action: 'profile.update' }), (_q, s) => {
    s.json({ ok: true });
  });
  // The session's level from the app's own access token, through the same map as the service.
  const fromToken = stepgateExpress(stepgate, {
    // The app claims more than it proved: the token, not this, decides.
    getSubject: () => ({
      id: 'alice',
      sessionId: 's1',
      acr: 'aal3',
      authTime: Math.floor(Date.now() / 1000),
      methods: ['webauthn'],
    }),
    sessionToken: {
      token: (req) => req.get('authorization')?.replace(/^Bearer /, ''),
      issuer: idp.issuer,
      audience: 'api://bank',
      acrMap: { 'urn:corp:pwd': 'aal1', 'urn:corp:mfa': 'aal2' },
    },
    proxy: { publicOrigin: 'https://bank.example' },
  });
  app.get('/admin/users', fromToken.requireStepUp({ action: 'admin.users.list' }), (_q, s) => {
    s.json({ ok: true });
  });
  // The methods that proved the session, from the token's amr through the same map as the service.
  const withMethods = stepgateExpress(stepgate, {
    // The app claims a passkey it did not prove: the token, not this, decides.
    getSubject: () => ({ id: 'alice', sessionId: 's1', methods: ['webauthn'] }),
    sessionToken: {
      token: (req) => req.get('authorization')?.replace(/^Bearer /, ''),
      issuer: idp.issuer,
      audience: 'api://bank',
      acrMap: { 'urn:corp:pwd': 'aal1', 'urn:corp:mfa': 'aal2' },
      methods: { hwk: 'webauthn', otp: 'sms_otp' },
    },
    proxy: { publicOrigin: 'https://bank.example' },
  });
  app.post('/admin/keys', withMethods.requireStepUp({ action: 'admin.keys.rotate' }), (_q, s) => {
    s.json({ ok: true });
  });
  app.post('/admin/keys-asserted', fromToken.requireStepUp({ action: 'admin.keys.rotate' }), (_q, s) => {
    s.json({ ok: true });
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise((resolve) => server.close(() => resolve()));
});

afterAll(async () => {
  await close?.();
  await svc?.close();
  await idp?.close();
});

const transfer = (headers: Record<string, string> = {}) =>
  fetch(`${url}/transfer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ amount: 900, payee: 'bob' }),
  });

describe('guards with identity-provider performers (issue 21)', () => {
  it('RFC 9470: answers 401 with the provider acr_values and max_age, and the authorization parameters in the body', async () => {
    const res = await transfer();
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_user_authentication", acr_values="urn:corp:mfa", max_age="0"',
    );
    const body = (await res.json()) as ProviderStepUpAnswerBody;
    expect(validProviderBody(body), JSON.stringify(validProviderBody.errors)).toBe(true);
    expect(body.providers[0]?.params).toMatchObject({
      client_id: 'bank-app',
      acr_values: 'urn:corp:mfa',
      prompt: 'login',
    });
    const parsed = parseStepUpChallenge(res.headers.get('www-authenticate'), body);
    expect(parsed).toMatchObject({ dialect: 'rfc9470', acrValues: ['urn:corp:mfa'], maxAge: 0 });
    expect(parsed?.providers?.[0]?.performer).toBe('idp:corp');
  });

  it('RFC 9470 §3: oauth4webapi reads our challenge (error, acr_values, max_age)', async () => {
    const answer = await protectedResourceRequest(
      'app-access-token',
      'POST',
      new URL(`${url}/transfer`),
      new Headers({ 'content-type': 'application/json' }),
      JSON.stringify({ amount: 900, payee: 'bob' }),
      { [allowInsecureRequests]: true },
    ).catch((error: unknown) => error);
    expect(answer).toBeInstanceOf(WWWAuthenticateChallengeError);
    const [challenge] = (answer as WWWAuthenticateChallengeError).cause;
    expect(challenge).toMatchObject({
      scheme: 'bearer',
      parameters: { error: 'insufficient_user_authentication', acr_values: 'urn:corp:mfa', max_age: '0' },
    });
  });

  it('the retried request with the provider ID token (idpToken) runs; a replay of it does not (S17)', async () => {
    const body = (await (await transfer()).json()) as ProviderStepUpAnswerBody;
    const { client_id: _c, response_type: _r, ...params } = body.providers[0]!.params;
    const { idToken } = await idp.signIn({ user: 'alice', acr: 'urn:corp:mfa', params });
    const ok = await transfer({ 'x-test-id-token': idToken });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true });
    expect((await transfer({ 'x-test-id-token': idToken })).status).toBe(401);
  });

  it('both performers: our challenge with "continue with" providers, our acr first in acr_values', async () => {
    const res = await fetch(`${url}/profile`, { method: 'POST' });
    expect(res.status).toBe(401);
    const body = (await res.json()) as StepUpAnswerBody;
    const parsed = parseStepUpChallenge(res.headers.get('www-authenticate'), body);
    expect(parsed?.dialect).toBe('stepgate');
    expect(parsed?.acrValues).toEqual(['urn:stepgate:aal1', 'urn:corp:pwd', 'urn:corp:mfa']);
    expect(body.stepUp.methods).toEqual(['email_otp']);
    expect(body.stepUp.providers?.[0]).toMatchObject({ performer: 'idp:corp', name: 'Corp SSO' });
  });

  it('idpToken must be a function, checked when the guards are created', () => {
    const stepgate = createStepgate({ serviceUrl: svc.url, apiKey: svc.apiKey });
    expect(() => stepgateExpress(stepgate, { getSubject: () => null, idpToken: 'x' as never })).toThrow(
      /idpToken must be a function/,
    );
  });
});

describe('the session level from the app own access token (issue 21: sessionToken)', () => {
  const admin = (token?: string) =>
    fetch(`${url}/admin/users`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

  it('a verified access token at a mapped aal2, authenticated just now, meets aal2 within 15m without a step-up', async () => {
    const { accessToken } = await idp.signIn({
      user: 'alice',
      acr: 'urn:corp:mfa',
      params: { acr_values: 'urn:corp:mfa' },
    });
    expect((await admin(accessToken)).status).toBe(200);
  });

  // alice has no Stepgate factor at aal2, so a session below aal2 is refused outright (403).
  it('S2: the app assertion counts for nothing: no token, a lower acr, another user or audience are refused', async () => {
    expect((await admin()).status).toBe(403);
    const pwd = await idp.signIn({
      user: 'alice',
      acr: 'urn:corp:pwd',
      params: { acr_values: 'urn:corp:pwd' },
    });
    expect((await admin(pwd.accessToken)).status).toBe(403);
    const mallory = await idp.signIn({
      user: 'mallory',
      acr: 'urn:corp:mfa',
      params: { acr_values: 'urn:corp:mfa' },
    });
    expect((await admin(mallory.accessToken)).status).toBe(403);
    // The ID token is for the client, not the API: its audience is refused.
    const wrongAudience = await idp.signIn({
      user: 'alice',
      acr: 'urn:corp:mfa',
      params: { acr_values: 'urn:corp:mfa' },
    });
    expect((await admin(wrongAudience.idToken)).status).toBe(403);
  });

  it('S24: subject.methods comes from the token’s amr through sessionToken.methods, never from the app', async () => {
    const keys = (path: string, token: string) =>
      fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    const passkey = await idp.signIn({
      user: 'alice',
      acr: 'urn:corp:mfa',
      amr: ['hwk', 'mfa'],
      params: { acr_values: 'urn:corp:mfa' },
    });
    expect((await keys('/admin/keys', passkey.accessToken)).status).toBe(200);
    // A texted code at the same level proves no passkey: alice has no factor for it (403).
    const sms = await idp.signIn({
      user: 'alice',
      acr: 'urn:corp:mfa',
      amr: ['otp', 'mfa'],
      params: { acr_values: 'urn:corp:mfa' },
    });
    expect((await keys('/admin/keys', sms.accessToken)).status).toBe(403);
    // Without a methods map the session proves no method, whatever the app asserts.
    expect((await keys('/admin/keys-asserted', passkey.accessToken)).status).toBe(403);
  });

  it('options are checked when the guards are created', () => {
    const stepgate = createStepgate({ serviceUrl: svc.url, apiKey: svc.apiKey });
    const base = {
      token: () => undefined,
      issuer: idp.issuer,
      audience: 'api://bank',
      acrMap: { x: 'aal2' as const },
    };
    const make = (sessionToken: object) => () =>
      stepgateExpress(stepgate, { getSubject: () => null, sessionToken: sessionToken as never });
    expect(make({ ...base, acrMap: {} })).toThrow(/needs an acrMap or an amrMap/);
    expect(make({ ...base, acrMap: { x: 'aal4' } })).toThrow(/acrMap\["x"\] must be aal1, aal2 or aal3/);
    expect(make({ ...base, issuer: 'http://login.example.com' })).toThrow(/https URL/);
    expect(make({ ...base, algorithms: ['HS256'] })).toThrow(/never none or HS/);
    expect(make({ ...base, audience: [] })).toThrow(/audience/);
    expect(make({ ...base, methods: { hwk: 'passkey' } })).toThrow(
      /methods\["hwk"\] must be a Stepgate method/,
    );
  });
});
