/**
 * Step-up through an OpenID Connect provider (issue 21, docs/idp.md): the real service on a
 * loopback port in front of a real provider (oidc-provider, tools/test-idp.ts).
 */
import { importJWK, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIdp, type TestIdp } from '../../../tools/test-idp.js';
import type { RunningService } from '../src/index.js';
import { client, freshDir, start, testClock } from './helpers.js';

const POLICY = `
policies:
  - id: sso-transfer
    when: { action: payments.transfer }
    require: { level: aal2, maxAge: 0, bindTransaction: true, performer: idp:corp }
  - id: admin
    when: { action: "admin.**" }
    require: { level: aal2, maxAge: 15m, performer: any }
  - id: payroll-passkey
    when: { action: payroll.approve }
    require: { level: aal2, maxAge: 0, methods: [webauthn], performer: idp:corp }
  - id: sso-reports
    when: { action: "reports.*" }
    require: { level: aal2, maxAge: 15m, anyAction: true, performer: idp:corp }
default: allow
`;

let idp: TestIdp;
let other: TestIdp;
let svc: RunningService;
let call: ReturnType<typeof client>;
const clock = testClock(Date.now());

const subject = { id: 'alice', sessionId: 's1', acr: 'aal1' };
const transfer = {
  subject,
  action: { name: 'payments.transfer' },
  transaction: { amount: 900, payee: 'bob' },
};
const admin = { subject, action: { name: 'admin.users.list' } };
const payroll = {
  subject,
  action: { name: 'payroll.approve' },
  transaction: { amount: 5000, payee: 'carol' },
};

/** The provider's authorization parameters from a step-up answer, as a client would send them. */
function paramsOf(answer: { providers?: Array<{ params: Record<string, string> }> }): Record<string, string> {
  const p = answer.providers?.[0]?.params;
  if (!p) throw new Error('no provider in the answer');
  const { client_id: _c, response_type: _r, ...rest } = p;
  return rest;
}

beforeAll(async () => {
  idp = await startTestIdp({
    clients: [
      {
        clientId: 'bank-app',
        clientSecret: 'bank-app-secret-0123456789abcdef',
        redirectUris: ['http://localhost/callback'],
      },
      {
        clientId: 'other-app',
        clientSecret: 'other-app-secret-0123456789abcdef',
        redirectUris: ['http://localhost/callback'],
      },
    ],
  });
  other = await startTestIdp({
    clients: [
      { clientId: 'bank-app', clientSecret: 'x'.repeat(32), redirectUris: ['http://localhost/callback'] },
    ],
  });
  svc = await start({
    dataDir: freshDir(),
    clock,
    policies: POLICY,
    config: {
      idps: [
        {
          id: 'corp',
          name: 'Corp SSO',
          issuer: idp.issuer,
          clientId: 'bank-app',
          acrMap: { 'urn:corp:pwd': 'aal1', 'urn:corp:mfa': 'aal2', 'urn:corp:phr': 'aal3' },
          methods: { hwk: 'webauthn', swk: 'webauthn', otp: 'totp', sms: 'sms_otp' },
          jwksCooldown: 0,
        },
      ],
    },
  });
  call = client(svc);
});

afterAll(async () => {
  await svc?.close();
  await idp?.close();
  await other?.close();
});

describe('step-up performed by an identity provider (issue 21)', () => {
  it('answers step_up with the provider: acr_values, max_age, prompt=login, an essential acr claim and a nonce, no secret', async () => {
    const { status, body } = await call('POST', '/v1/decisions', transfer);
    expect(status).toBe(200);
    expect(body.decision).toBe('step_up');
    expect(body.challenge).toBeUndefined();
    expect(body.requirement).toMatchObject({ level: 'aal2', performers: ['idp:corp'], singleUse: true });
    const [p] = body.providers;
    expect(p).toMatchObject({
      performer: 'idp:corp',
      name: 'Corp SSO',
      issuer: idp.issuer,
      authorizationEndpoint: `${idp.issuer}/auth`,
      params: {
        client_id: 'bank-app',
        response_type: 'code',
        scope: 'openid',
        acr_values: 'urn:corp:mfa urn:corp:phr',
        max_age: '0',
        prompt: 'login',
      },
    });
    expect(JSON.parse(p.params.claims)).toEqual({
      id_token: {
        auth_time: { essential: true },
        acr: { essential: true, values: ['urn:corp:mfa', 'urn:corp:phr'] },
      },
    });
    expect(JSON.stringify(p)).not.toMatch(/secret/i);
  });

  it('S17: an ID token at the required acr with the answer nonce allows once; a second use is refused', async () => {
    const answer = (await call('POST', '/v1/decisions', transfer)).body;
    const { idToken } = await idp.signIn({ user: 'alice', acr: 'urn:corp:mfa', params: paramsOf(answer) });
    const first = await call('POST', '/v1/decisions', { ...transfer, idpToken: idToken });
    expect(first.body.decision).toBe('allow');
    expect(first.body.reasons.at(-1)).toMatchObject({
      code: 'token_accepted',
      values: { idp: 'corp', acr: 'urn:stepgate:aal2', singleUse: true, providerAcr: 'urn:corp:mfa' },
    });
    const again = await call('POST', '/v1/decisions', { ...transfer, idpToken: idToken });
    expect(again.body.decision).toBe('step_up');
    expect(again.body.reasons.at(-1)).toMatchObject({
      code: 'token_rejected',
      values: { failure: 'replayed' },
    });
  });
});

describe('refusals of a provider token (issue 21; S2, S15, S16, S17, S19, S34)', () => {
  /** The last reason's failure of a decision with `idpToken`. */
  async function refusal(body: object, idpToken: string): Promise<string> {
    const res = await call('POST', '/v1/decisions', { ...body, idpToken });
    expect(res.status).toBe(200);
    expect(res.body.decision).toBe('step_up');
    const last = res.body.reasons.at(-1);
    expect(last.code).toBe('token_rejected');
    return last.values.failure;
  }
  const answerFor = async (body: object) => (await call('POST', '/v1/decisions', body)).body;

  it('S2: a token at a lower acr than the requirement maps to is refused (and not consumed)', async () => {
    // A client that drops the essential claim: the provider lets the user sign in with a password.
    const { claims: _c, ...params } = paramsOf(await answerFor(transfer));
    const { idToken } = await idp.signIn({ user: 'alice', acr: 'urn:corp:pwd', params });
    expect(await refusal(transfer, idToken)).toBe('level_too_low');
  });

  it('S1: a token whose auth_time is older than maxAge is refused (freshness at the mapped level)', async () => {
    const { idToken } = await idp.signIn({
      user: 'alice',
      acr: 'urn:corp:mfa',
      params: paramsOf(await answerFor(admin)),
    });
    expect((await call('POST', '/v1/decisions', { ...admin, idpToken: idToken })).body.decision).toBe(
      'allow',
    );
    clock.set(Date.now() + 15 * 60_000 + 5000);
    try {
      expect(await refusal(admin, idToken)).toBe('auth_too_old');
    } finally {
      clock.set(Date.now());
    }
  });

  it('S16: a token for another audience (another client of the same provider) is refused', async () => {
    const { idToken } = await idp.signIn({
      user: 'alice',
      acr: 'urn:corp:mfa',
      params: paramsOf(await answerFor(transfer)),
      client: idp.clients[1]!,
    });
    expect(await refusal(transfer, idToken)).toBe('wrong_audience');
  });

  it('S16: a token from another issuer, even with the same client id and claims, is refused', async () => {
    const { idToken } = await other.signIn({
      user: 'alice',
      acr: 'urn:corp:mfa',
      params: paramsOf(await answerFor(transfer)),
    });
    expect(await refusal(transfer, idToken)).toBe('unknown_issuer');
  });

  it('S15: alg none and an HS256 token keyed with the provider public key are refused', async () => {
    const claims = {
      iss: idp.issuer,
      aud: 'bank-app',
      sub: 'alice',
      acr: 'urn:corp:phr',
      auth_time: Math.floor(Date.now() / 1000),
    };
    const none = new UnsecuredJWT(claims).setIssuedAt().setExpirationTime('5m').encode();
    expect(await refusal(admin, none)).toBe('alg_not_allowed');
    const hs = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: idp.key.kid! })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(idp.key.n));
    expect(await refusal(admin, hs)).toBe('alg_not_allowed');
  });

  it('S19: after the provider rotates its key, new tokens verify and a token of the removed key is refused', async () => {
    const before = await idp.signIn({
      user: 'alice',
      acr: 'urn:corp:mfa',
      params: paramsOf(await answerFor(admin)),
    });
    expect((await call('POST', '/v1/decisions', { ...admin, idpToken: before.idToken })).body.decision).toBe(
      'allow',
    );
    await idp.rotateKey();
    const after = await idp.signIn({
      user: 'alice',
      acr: 'urn:corp:mfa',
      params: paramsOf(await answerFor(admin)),
    });
    expect((await call('POST', '/v1/decisions', { ...admin, idpToken: after.idToken })).body.decision).toBe(
      'allow',
    );
    expect(await refusal(admin, before.idToken)).toBe('unknown_kid');
  });

  it('a token signed by a key the provider never published is refused', async () => {
    const stranger = await importJWK(
      { ...(await import('../../../tools/test-idp.js').then((m) => m.newSigningKey('k1'))) },
      'RS256',
    );
    const forged = await new SignJWT({
      iss: idp.issuer,
      aud: 'bank-app',
      sub: 'alice',
      acr: 'urn:corp:phr',
      auth_time: Math.floor(Date.now() / 1000),
    })
      .setProtectedHeader({ alg: 'RS256', kid: idp.key.kid! })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(stranger);
    expect(await refusal(admin, forged)).toBe('bad_signature');
  });

  it('S16: a token of another user (the documented sub mapping) is refused', async () => {
    const { idToken } = await idp.signIn({
      user: 'mallory',
      acr: 'urn:corp:mfa',
      params: paramsOf(await answerFor(transfer)),
    });
    expect(await refusal(transfer, idToken)).toBe('wrong_subject');
  });

  it('S17: a token asked for one transaction does not pass for another amount or payee', async () => {
    const { idToken } = await idp.signIn({
      user: 'alice',
      acr: 'urn:corp:mfa',
      params: paramsOf(await answerFor(transfer)),
    });
    expect(await refusal({ ...transfer, transaction: { amount: 9000, payee: 'bob' } }, idToken)).toBe(
      'nonce_mismatch',
    );
    expect(await refusal({ ...transfer, subject: { ...subject, sessionId: 's2' } }, idToken)).toBe(
      'nonce_mismatch',
    );
    // Not consumed by the refusals: the right request still passes once.
    expect((await call('POST', '/v1/decisions', { ...transfer, idpToken: idToken })).body.decision).toBe(
      'allow',
    );
  });

  it('S34: a token without the answer nonce (the app sign-in token) is not bound to the request', async () => {
    const { nonce: _n, ...params } = paramsOf(await answerFor(admin));
    const { idToken } = await idp.signIn({ user: 'alice', acr: 'urn:corp:mfa', params });
    expect(await refusal(admin, idToken)).toBe('token_not_bound');
  });

  it('a provider the policy does not name as performer cannot perform the step-up', async () => {
    const { idToken } = await idp.signIn({
      user: 'alice',
      acr: 'urn:corp:mfa',
      params: paramsOf(await answerFor(admin)),
    });
    const stepgateOnly = { subject, action: { name: 'payments.transfer' }, transaction: { amount: 1 } };
    // payments.transfer names idp:corp only; a Stepgate-only action does not offer it at all.
    expect((await answerFor(stepgateOnly)).providers?.[0]?.performer).toBe('idp:corp');
    const res = await call('POST', '/v1/decisions', {
      subject,
      action: { name: 'reports.read' },
      idpToken: idToken,
    });
    expect(res.body.decision).toBe('allow'); // no step-up asked: the token is not even looked at
  });

  it('S27: every outcome is audited with the provider and the token id, never the token', async () => {
    const answer = await answerFor(transfer);
    const { idToken } = await idp.signIn({ user: 'alice', acr: 'urn:corp:mfa', params: paramsOf(answer) });
    await call('POST', '/v1/decisions', { ...transfer, idpToken: idToken });
    const admin = client({ url: svc.url, apiKey: svc.adminKey });
    const { body } = await admin('GET', '/v1/audit?limit=50');
    const events = body.records ?? body.events ?? body;
    const text = JSON.stringify(events);
    expect(text).not.toContain(idToken.split('.')[1]);
    expect(text).toMatch(/"token.accepted"/);
    expect(text).toMatch(/"token.issued"/);
    expect(text).toMatch(/"token.rejected"/);
    expect(text).toMatch(/"idp":"corp"/);
  });
});

describe('methods across performers (issue 21: idps[].methods; docs/idp.md "Restricting methods across performers")', () => {
  const answerFor = async (body: object) => (await call('POST', '/v1/decisions', body)).body;
  /** The audit records of one type, newest first. */
  const auditOf = async (type: string) => {
    const adminCall = client({ url: svc.url, apiKey: svc.adminKey });
    const { body } = await adminCall('GET', `/v1/audit?type=${type}&limit=1000`);
    return (body.records as Array<{ event: Record<string, unknown> }>).map((r) => r.event);
  };

  it('asks the provider for amr essential among its values that count as an allowed method (OIDC Core §5.5.1)', async () => {
    const body = await answerFor(payroll);
    expect(body.decision).toBe('step_up');
    expect(body.requirement).toMatchObject({ performers: ['idp:corp'], providerMethods: ['webauthn'] });
    expect(JSON.parse(body.providers[0].params.claims)).toEqual({
      id_token: {
        auth_time: { essential: true },
        acr: { essential: true, values: ['urn:corp:mfa', 'urn:corp:phr'] },
        amr: { essential: true, values: ['hwk', 'swk'] },
      },
    });
  });

  it('S2: a token whose amr maps to an allowed method is accepted, the method in the reason and the audit', async () => {
    const { idToken } = await idp.signIn({
      user: 'alice',
      acr: 'urn:corp:mfa',
      amr: ['pwd', 'hwk'],
      params: paramsOf(await answerFor(payroll)),
    });
    const res = await call('POST', '/v1/decisions', { ...payroll, idpToken: idToken });
    expect(res.body.decision).toBe('allow');
    expect(res.body.reasons.at(-1)).toMatchObject({
      code: 'token_accepted',
      // `pwd` is not among the RFC 8176 values Stepgate carries over to its own token.
      values: { idp: 'corp', method: 'webauthn', amr: ['hwk'] },
    });
    const [accepted] = await auditOf('token.accepted');
    expect(accepted).toMatchObject({
      detail: { idp: 'corp' },
      what: { action: 'payroll.approve', method: 'webauthn', level: 'aal2' },
    });
  });

  it('S2: a token whose amr maps only to a method the policy does not allow, or has no amr, is refused with method_not_allowed and audited', async () => {
    const before = (await auditOf('token.rejected')).length;
    for (const amr of [['pwd', 'otp', 'mfa'], ['sms'], ['pwd'], []]) {
      const { idToken } = await idp.signIn({
        user: 'alice',
        acr: 'urn:corp:mfa',
        amr,
        params: paramsOf(await answerFor(payroll)),
      });
      const res = await call('POST', '/v1/decisions', { ...payroll, idpToken: idToken });
      expect(res.body.decision).toBe('step_up');
      expect(res.body.reasons.at(-1)).toMatchObject({
        code: 'token_rejected',
        values: { failure: 'method_not_allowed', idp: 'corp' },
      });
    }
    const all = await auditOf('token.rejected');
    const rejected = all.slice(0, all.length - before);
    expect(rejected).toHaveLength(4);
    for (const event of rejected) {
      expect(event).toMatchObject({
        outcome: 'rejected',
        detail: { failure: 'method_not_allowed', idp: 'corp' },
        what: { action: 'payroll.approve' },
      });
    }
  });

  it('a Stepgate token (a TOTP step-up for another action, anyAction) does not meet a requirement only the provider may perform', async () => {
    const reports = {
      subject: { ...subject, authTime: Math.floor(clock() / 1000) },
      action: { name: 'reports.read' },
    };
    const first = await call('POST', '/v1/decisions', reports);
    expect(first.body.requirement).toMatchObject({ performers: ['idp:corp'], anyAction: true });
    // What the service mints after a TOTP challenge for profile.read: a valid token of this user and session.
    const { token } = svc.tokens.mintStepUpToken({
      sub: 'alice',
      aud: svc.config.audiences[0]!,
      acr: 'urn:stepgate:aal2',
      amr: ['otp', 'mfa'],
      authTime: Math.floor(clock() / 1000),
      sid: 's1',
      action: 'profile.read',
      digest: 'LCvVlzASsJme4pNtgxuK2FQlVZ16bGTE3b5oHMeeGhI',
      method: 'totp',
    });
    const res = await call('POST', '/v1/decisions', { ...reports, stepUpToken: token });
    expect(res.body.decision).toBe('step_up');
    expect(res.body.reasons.at(-1)).toMatchObject({
      code: 'token_rejected',
      values: { failure: 'performer_not_allowed' },
    });
  });
});

describe('providers at start (issue 21: OIDC Discovery, located errors)', () => {
  const idpEntry = (issuer: string) =>
    `idps:\n  - id: corp\n    issuer: ${issuer}\n    clientId: bank-app\n    acrMap: { "urn:corp:mfa": aal2 }\n`;
  const writeConfig = async (text: string) => {
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const dir = freshDir();
    const file = join(dir, 'stepgate.yaml');
    writeFileSync(file, `dataDir: ${dir}\n${text}`);
    return file;
  };

  it('a provider that does not answer discovery stops the start, located at its issuer', async () => {
    const file = await writeConfig(idpEntry('http://127.0.0.1:9'));
    await expect(start({ config: file, policies: POLICY })).rejects.toThrow(
      new RegExp(
        `^${file.replaceAll('/', '\\/')}:4:13 /idps/0/issuer: identity provider "corp": discovery at http://127\\.0\\.0\\.1:9/\\.well-known/openid-configuration failed`,
      ),
    );
  });

  it('a discovery document that names another issuer is refused (OIDC Discovery §4.3)', async () => {
    const file = await writeConfig(idpEntry(`http://localhost:${idp.port}`));
    await expect(start({ config: file, policies: POLICY })).rejects.toThrow(
      /\/idps\/0\/issuer: identity provider "corp": the discovery document names issuer "http:\/\/127\.0\.0\.1:\d+"/,
    );
  });

  it('a policy naming a provider that is not configured is refused at its line', async () => {
    await expect(
      start({
        dataDir: freshDir(),
        policies:
          'policies:\n  - id: p\n    when: { action: x }\n    require: { level: aal2, performer: idp:okta }\ndefault: allow\n',
      }),
    ).rejects.toThrow(/policies\[0\]:4:.*unknown identity provider "okta" \(configured: none\)/);
  });

  it('a policy naming a provider with require.methods its methods map cannot prove is refused at its line', async () => {
    const policies =
      'policies:\n  - id: p\n    when: { action: x }\n    require:\n      level: aal2\n      methods: [biometric]\n      performer: idp:corp\ndefault: allow\n';
    await expect(
      start({
        dataDir: freshDir(),
        policies,
        config: {
          idps: [
            {
              id: 'corp',
              issuer: idp.issuer,
              clientId: 'bank-app',
              acrMap: { 'urn:corp:mfa': 'aal2' },
              methods: { hwk: 'webauthn' },
            },
          ],
        },
      }),
    ).rejects.toThrow(
      /policies\[0\]:6:\d+ \/policies\/0\/require\/methods: identity provider "corp" cannot perform any of these methods \(its "methods" map gives webauthn\)/,
    );
  });
});
