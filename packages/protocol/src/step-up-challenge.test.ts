import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StepgateError } from './errors.js';
import { formatStepUpChallenge, parseStepUpChallenge } from './step-up-challenge.js';
import type { StepUpAnswerBody } from './types.js';

const b64 = (text: string) => btoa(text);

const stepUpBody: StepUpAnswerBody = {
  error: { code: 'insufficient_user_authentication', message: 'Step up' },
  stepUp: {
    challengeId: 'chl_abc',
    challengeUrl: 'https://app.example/stepgate/v1/challenges/chl_abc',
    acr: 'urn:stepgate:aal2',
    maxAge: 300,
    methods: ['totp', 'webauthn'],
    expiresAt: '2026-11-28T12:00:00Z',
  },
};

describe('formatStepUpChallenge', () => {
  it('formats the RFC 9470 challenge with our step_up_challenge parameter (docs/design/flows.md "A step-up")', () => {
    expect(
      formatStepUpChallenge({
        acr: 'urn:stepgate:aal2',
        maxAge: 300,
        challengeId: 'chl_abc',
        errorDescription: 'Step up',
      }),
    ).toBe(
      'Bearer error="insufficient_user_authentication", error_description="Step up", acr_values="urn:stepgate:aal2", max_age="300", step_up_challenge="chl_abc"',
    );
  });

  it('joins acr and acrValues without duplicates, and takes another scheme', () => {
    expect(formatStepUpChallenge({ acr: 'a', acrValues: ['b', 'a'], scheme: 'DPoP' })).toBe(
      'DPoP error="insufficient_user_authentication", acr_values="a b"',
    );
  });

  it('throws invalid_request for values it cannot put on the wire', () => {
    const bad = [
      { scheme: 'Bear er' },
      { acr: 'a b' },
      { acrValues: [''] },
      { maxAge: -1 },
      { maxAge: 1.5 },
      { challengeId: '' },
      { errorDescription: 'line\nbreak' },
    ];
    for (const params of bad) {
      expect(() => formatStepUpChallenge(params)).toThrow(StepgateError);
    }
  });
});

describe('parseStepUpChallenge', () => {
  it('reads the RFC 9470 example (§3)', () => {
    const parsed = parseStepUpChallenge(
      'Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="myACR"',
    );
    expect(parsed).toEqual({
      dialect: 'rfc9470',
      scheme: 'Bearer',
      acrValues: ['myACR'],
      error: 'insufficient_user_authentication',
      errorDescription: 'A different authentication level is required',
      raw: {
        error: 'insufficient_user_authentication',
        error_description: 'A different authentication level is required',
        acr_values: 'myACR',
      },
    });
    expect(parseStepUpChallenge('Bearer error="insufficient_user_authentication", max_age="5"')?.maxAge).toBe(
      5,
    );
  });

  it('finds ours among other schemes, with bare values and odd spacing', () => {
    const parsed = parseStepUpChallenge(
      'Basic realm="x",   Bearer  error=insufficient_user_authentication ,acr_values="a b" , max_age=60,step_up_challenge=chl_1, Negotiate abc==',
    );
    expect(parsed).toMatchObject({
      dialect: 'stepgate',
      acrValues: ['a', 'b'],
      maxAge: 60,
      challengeId: 'chl_1',
    });
  });

  it('dialect is stepgate when only our JSON body is present, and fills acr and maxAge from it', () => {
    expect(parseStepUpChallenge(null, stepUpBody)).toEqual({
      dialect: 'stepgate',
      acrValues: ['urn:stepgate:aal2'],
      maxAge: 300,
      challengeId: 'chl_abc',
      stepUp: stepUpBody.stepUp,
      error: 'insufficient_user_authentication',
      raw: {},
    });
    expect(parseStepUpChallenge(undefined, JSON.stringify(stepUpBody))?.stepUp).toEqual(stepUpBody.stepUp);
  });

  it('keeps the body stepUp when it names the header challenge, and drops it when it names another', () => {
    const header = formatStepUpChallenge({ acr: 'urn:stepgate:aal2', challengeId: 'chl_abc' });
    expect(parseStepUpChallenge(header, stepUpBody)?.stepUp).toEqual(stepUpBody.stepUp);
    const other = formatStepUpChallenge({ acr: 'urn:stepgate:aal2', challengeId: 'chl_other' });
    const parsed = parseStepUpChallenge(other, stepUpBody);
    expect(parsed?.challengeId).toBe('chl_other');
    expect(parsed?.stepUp).toBeUndefined();
  });

  it('ignores a malformed stepUp body and drops unknown methods from a good one', () => {
    const body = { stepUp: { ...stepUpBody.stepUp, challengeUrl: 'javascript:alert(1)' } };
    expect(parseStepUpChallenge(null, body)).toBeNull();
    const newer = { stepUp: { ...stepUpBody.stepUp, methods: ['totp', 'carrier_pigeon'] } };
    expect(parseStepUpChallenge(null, newer)?.stepUp?.methods).toEqual(['totp']);
  });

  it('reads Entra insufficient_claims and decodes its base64 claims', () => {
    const claims = { access_token: { acrs: { essential: true, value: 'c1' } } };
    const header = `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="${b64(JSON.stringify(claims))}"`;
    expect(parseStepUpChallenge(header)).toMatchObject({ dialect: 'entra', acrValues: ['c1'], claims });
    const many = { access_token: { acrs: { essential: true, values: ['c2', 'c3'] } } };
    const unpadded = b64(JSON.stringify(many)).replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_');
    expect(
      parseStepUpChallenge(`Bearer error="insufficient_claims", claims="${unpadded}"`)?.acrValues,
    ).toEqual(['c2', 'c3']);
    const revoked = parseStepUpChallenge('Bearer error="insufficient_claims", claims="not base64!"');
    expect(revoked).toMatchObject({ dialect: 'entra', acrValues: [] });
    expect(revoked?.claims).toBeUndefined();
  });

  it('reads Okta insufficient_authentication_context', () => {
    const header =
      'Bearer realm="IdpMyAccountAPI", error="insufficient_authentication_context", error_description="The access token requires additional assurance to access the resource", max_age=900';
    expect(parseStepUpChallenge(header)).toMatchObject({ dialect: 'okta', maxAge: 900, acrValues: [] });
  });

  it('reads Auth0 mfa_required from the header or the token endpoint body', () => {
    expect(parseStepUpChallenge('Bearer error="mfa_required"')).toMatchObject({ dialect: 'auth0' });
    const body = {
      error: 'mfa_required',
      error_description: 'Multifactor authentication required',
      mfa_token: 'Fe26...Ha',
    };
    expect(parseStepUpChallenge(null, body)).toEqual({
      dialect: 'auth0',
      acrValues: [],
      error: 'mfa_required',
      errorDescription: 'Multifactor authentication required',
      raw: body,
    });
  });

  it("reads Clerk's reverification-error body, with a config or a preset", () => {
    const body = {
      clerk_error: {
        type: 'forbidden',
        reason: 'reverification-error',
        metadata: { reverification: { level: 'second_factor', afterMinutes: 10 } },
      },
    };
    expect(parseStepUpChallenge(null, body)).toEqual({
      dialect: 'clerk',
      acrValues: [],
      maxAge: 600,
      error: 'reverification-error',
      raw: { type: 'forbidden', reason: 'reverification-error', level: 'second_factor', afterMinutes: '10' },
    });
    const preset = { clerk_error: { ...body.clerk_error, metadata: { reverification: 'lax' } } };
    expect(parseStepUpChallenge(null, preset)).toMatchObject({ maxAge: 86400, raw: { preset: 'lax' } });
    const bare = { clerk_error: { type: 'forbidden', reason: 'reverification-error' } };
    expect(parseStepUpChallenge(null, bare)?.maxAge).toBeUndefined();
  });

  it('returns null for garbage, other errors and other shapes, and never throws', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('boom');
        },
      },
    );
    const cases: Array<[unknown, unknown]> = [
      [null, undefined],
      ['', undefined],
      ['Bearer error="invalid_token"', undefined],
      ['Basic realm="x"', { error: 'nope' }],
      ['Bearer error="insufficient_user_authentication', undefined],
      [42, { clerk_error: { type: 'forbidden', reason: 'other' } }],
      [undefined, '{"stepUp":'],
      [undefined, hostile],
      [undefined, [stepUpBody]],
    ];
    for (const [header, body] of cases) expect(parseStepUpChallenge(header as string, body)).toBeNull();
  });
});

describe('format → parse round trip (property)', () => {
  const headerText = fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  });
  const acr = fc.string({
    unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
    minLength: 1,
  });
  it('keeps acr values, max age, challenge id and description, including values that need escapes', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(acr, { minLength: 1, maxLength: 4 }),
        fc.option(fc.nat(), { nil: undefined }),
        fc.option(
          headerText.filter((s) => s !== ''),
          { nil: undefined },
        ),
        fc.option(headerText, { nil: undefined }),
        (acrValues, maxAge, challengeId, errorDescription) => {
          const params = { acrValues, maxAge, challengeId, errorDescription };
          const header = formatStepUpChallenge(JSON.parse(JSON.stringify(params)));
          const parsed = parseStepUpChallenge(`Basic realm="a, b", ${header}, Negotiate x==`);
          expect(parsed?.dialect).toBe(challengeId === undefined ? 'rfc9470' : 'stepgate');
          expect(parsed?.acrValues).toEqual(acrValues);
          expect(parsed?.maxAge).toBe(maxAge);
          expect(parsed?.challengeId).toBe(challengeId);
          expect(parsed?.errorDescription).toBe(errorDescription);
        },
      ),
    );
  });

  it('never throws on arbitrary headers and bodies', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constant(null)), fc.anything(), (header, body) => {
        parseStepUpChallenge(header, body);
      }),
      { numRuns: 500 },
    );
  });
});

describe('identity-provider step-up answers (docs/idp.md)', () => {
  const provider = {
    performer: 'idp:corp',
    name: 'Corp SSO',
    issuer: 'https://login.example.com',
    authorizationEndpoint: 'https://login.example.com/authorize',
    params: {
      client_id: 'bank-app',
      response_type: 'code',
      scope: 'openid',
      acr_values: 'urn:corp:mfa',
      claims: '{"id_token":{"acr":{"essential":true,"values":["urn:corp:mfa"]}}}',
      nonce: 'n1',
      client_secret: 'never-read',
    },
    expiresAt: '2026-11-28T12:00:00Z',
  };

  it('reads the providers of an answer only identity providers perform, as an RFC 9470 challenge', () => {
    const header = formatStepUpChallenge({ acrValues: ['urn:corp:mfa'], maxAge: 0 });
    const parsed = parseStepUpChallenge(header, {
      error: { code: 'insufficient_user_authentication', message: 'x' },
      providers: [provider, { ...provider, authorizationEndpoint: 'javascript:alert(1)' }],
    });
    expect(parsed?.dialect).toBe('rfc9470');
    expect(parsed?.acrValues).toEqual(['urn:corp:mfa']);
    expect(parsed?.providers).toHaveLength(1);
    // Only the known authorization parameters are kept: nothing else reaches the provider's URL.
    expect(parsed?.providers?.[0]?.params).not.toHaveProperty('client_secret');
  });

  it('reads the providers offered beside a Stepgate challenge from stepUp.providers', () => {
    const body = { ...stepUpBody, stepUp: { ...stepUpBody.stepUp, providers: [provider] } };
    const parsed = parseStepUpChallenge(formatStepUpChallenge({ challengeId: 'chl_abc' }), body);
    expect(parsed?.dialect).toBe('stepgate');
    expect(parsed?.providers?.[0]?.performer).toBe('idp:corp');
    expect(parsed?.stepUp?.providers?.[0]?.name).toBe('Corp SSO');
  });
});
