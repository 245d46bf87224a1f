import { describe, expect, it } from 'vitest';
import { PolicyError, parsePolicyDocument } from '../src/index.js';
import { compileYaml, history, input, request } from './fixtures.js';

const doc = `
policies:
  - id: sso-transfer
    when: { action: payments.transfer }
    require: { level: aal2, maxAge: 0, bindTransaction: true, performer: idp:corp }
  - id: admin
    when: { action: "admin.**" }
    require: { level: aal2, maxAge: 15m, performer: any }
  - id: admin-keys
    when: { action: admin.keys.rotate }
    require: { level: aal3, methods: [webauthn] }
  - id: profile
    when: { action: profile.read }
    require: { level: aal2 }
default: allow
`;
const idps = [
  { id: 'corp', maxLevel: 'aal2' as const },
  { id: 'partner', maxLevel: 'aal3' as const },
];
const policy = compileYaml(doc, { idps });

describe('performers (issue 21, docs/policies.md "performer")', () => {
  it('a policy without performer is performed by Stepgate, as before (no performers on the wire)', () => {
    const v = policy.evaluate(input(request('profile.read')));
    expect(v.decision).toBe('step_up');
    expect(v.requirement).not.toHaveProperty('performers');
    expect(v.usableMethods).toEqual(['webauthn', 'totp']);
  });

  it('performer idp:<id> names that provider alone; Stepgate methods are not offered', () => {
    const v = policy.evaluate(input(request('payments.transfer')));
    expect(v.decision).toBe('step_up');
    expect(v.requirement).toMatchObject({
      level: 'aal2',
      performers: ['idp:corp'],
      methods: [],
      singleUse: true,
    });
    expect(v.usableMethods).toEqual([]);
  });

  it('an IdP step-up needs no enrolled Stepgate factor (S2: the level still comes from the map)', () => {
    const v = policy.evaluate(input(request('payments.transfer'), history([])));
    expect(v.decision).toBe('step_up');
    expect(v.requirement?.performers).toEqual(['idp:corp']);
  });

  it('performer any offers Stepgate first, then every configured provider that reaches the level', () => {
    const v = policy.evaluate(input(request('admin.users.list')));
    expect(v.requirement?.performers).toEqual(['stepgate', 'idp:corp', 'idp:partner']);
    expect(v.requirement?.methods.length).toBeGreaterThan(0);
  });

  it('policies combine to the performers they all allow; a provider whose map stops below the level drops out', () => {
    // admin (any, aal2) + admin-keys (stepgate, aal3): only Stepgate is common.
    const keys = policy.evaluate(input(request('admin.keys.rotate')));
    expect(keys.decision).toBe('step_up');
    expect(keys.requirement).toMatchObject({ level: 'aal3', methods: ['webauthn'] });
    expect(keys.requirement).not.toHaveProperty('performers');
    const aal3 = compileYaml(
      'policies:\n  - id: p\n    when: { action: x }\n    require: { level: aal3, performer: any }\ndefault: allow\n',
      { idps },
    ).evaluate(input(request('x')));
    expect(aal3.requirement?.performers).toEqual(['stepgate', 'idp:partner']);
  });

  it('no common performer, or none that reaches the level, is a deny that says so (never a downgrade)', () => {
    const disjoint = compileYaml(
      `policies:
  - id: a
    when: { action: x }
    require: { level: aal1, performer: idp:corp }
  - id: b
    when: { action: x }
    require: { level: aal1, performer: idp:partner }
default: allow
`,
      { idps },
    ).evaluate(input(request('x')));
    expect(disjoint.decision).toBe('deny');
    expect(disjoint.reasons.at(-1)).toMatchObject({ code: 'requirement_unsatisfiable' });
    expect(disjoint.reasons.at(-1)?.detail).toMatch(/no common performer/);
    const tooHigh = compileYaml(
      'policies:\n  - id: p\n    when: { action: x }\n    require: { level: aal3, performer: idp:corp }\ndefault: allow\n',
      { idps },
    ).evaluate(input(request('x')));
    expect(tooHigh.decision).toBe('deny');
    expect(tooHigh.reasons.at(-1)?.detail).toMatch(/no allowed identity provider can reach aal3/);
  });

  it('the session still meets a requirement it meets, whoever would perform it', () => {
    const v = policy.evaluate(
      input(request('admin.users.list', { subject: { id: 'u1', acr: 'aal2', authTime: 1_767_225_500 } })),
    );
    expect(v.decision).toBe('allow');
  });

  it('an unknown provider is a located policy error; without configured providers any id is accepted', () => {
    const text =
      'policies:\n  - id: p\n    when: { action: x }\n    require: { level: aal2, performer: idp:nope }\ndefault: allow\n';
    expect(() => parsePolicyDocument(text, { filename: 'p.yaml', idps: ['corp'] })).toThrowError(
      expect.objectContaining({
        code: 'invalid_policy',
        line: 4,
        message: expect.stringMatching(/unknown identity provider "nope" \(configured: corp\)/),
      }),
    );
    expect(() => compileYaml(text, { idps })).toThrow(PolicyError);
    expect(compileYaml(text).evaluate(input(request('x'))).requirement?.performers).toEqual(['idp:nope']);
    expect(() => parsePolicyDocument(text.replace('idp:nope', 'okta'), { filename: 'p.yaml' })).toThrow(
      /performer/,
    );
  });

  it('the performer and the configured providers are part of the policy version', () => {
    const plain = compileYaml(doc.replaceAll(/, performer: [a-z:]+/g, ''));
    expect(plain.version).not.toBe(policy.version);
    expect(compileYaml(doc).version).not.toBe(policy.version);
  });
});

describe('methods across performers (issue 21: idps[].methods; docs/idp.md "Restricting methods across performers")', () => {
  const reach = [
    { id: 'corp', maxLevel: 'aal2' as const, methods: ['totp', 'sms_otp'] as const },
    { id: 'okta', maxLevel: 'aal3' as const, methods: ['webauthn', 'totp'] as const },
    { id: 'legacy', maxLevel: 'aal3' as const },
  ];
  const one = (require: string) =>
    `policies:\n  - id: p\n    when: { action: x }\n    require: ${require}\ndefault: allow\n`;

  it('S2: a provider whose methods include an allowed one performs, and the requirement says which methods its proof must show', () => {
    const v = compileYaml(one('{ level: aal2, methods: [webauthn], performer: any }'), {
      idps: reach,
    }).evaluate(input(request('x')));
    expect(v.decision).toBe('step_up');
    expect(v.requirement).toMatchObject({
      methods: ['webauthn'],
      performers: ['stepgate', 'idp:okta'],
      providerMethods: ['webauthn'],
    });
  });

  it('S2: with performer any, a provider with no methods map, or none allowed, drops out (fail closed)', () => {
    const v = compileYaml(one('{ level: aal2, methods: [totp, sms_otp], performer: any }'), {
      idps: reach,
    }).evaluate(input(request('x')));
    // legacy maps no methods: it never performs a methods-restricted requirement.
    expect(v.requirement?.performers).toEqual(['stepgate', 'idp:corp', 'idp:okta']);
    expect(v.requirement?.providerMethods).toEqual(['totp', 'sms_otp']);
    const webauthnOnly = compileYaml(one('{ level: aal2, methods: [webauthn], performer: any }'), {
      idps: reach.filter((i) => i.id !== 'okta'),
    }).evaluate(input(request('x')));
    expect(webauthnOnly.requirement).not.toHaveProperty('performers');
    expect(webauthnOnly.requirement).not.toHaveProperty('providerMethods');
  });

  it('a requirement without methods is as before: every provider that reaches the level, no providerMethods', () => {
    const v = compileYaml(one('{ level: aal2, performer: any }'), { idps: reach }).evaluate(
      input(request('x')),
    );
    expect(v.requirement?.performers).toEqual(['stepgate', 'idp:corp', 'idp:okta', 'idp:legacy']);
    expect(v.requirement).not.toHaveProperty('providerMethods');
  });

  it('S2: only allowed methods that can reach the level count for a provider (totp never proves aal3)', () => {
    const v = compileYaml(one('{ level: aal3, methods: [totp, webauthn], performer: any }'), {
      idps: reach,
    }).evaluate(input(request('x')));
    expect(v.requirement).toMatchObject({
      performers: ['stepgate', 'idp:okta'],
      providerMethods: ['webauthn'],
    });
  });

  it('S2: restricted methods combine across policies: a provider no combined method fits is left out, and none left is unsatisfiable', () => {
    const doc = `policies:
  - id: sso
    when: { action: x }
    require: { level: aal2, performer: idp:corp }
  - id: keys
    when: { action: x }
    require: { level: aal2, methods: [webauthn], performer: any }
default: allow
`;
    const v = compileYaml(doc, { idps: reach }).evaluate(input(request('x')));
    expect(v.decision).toBe('deny');
    expect(v.reasons.at(-1)).toMatchObject({ code: 'requirement_unsatisfiable' });
    expect(v.reasons.at(-1)?.detail).toMatch(
      /no allowed identity provider can prove an allowed method at aal2 \(allowed by policy: webauthn\)/,
    );
  });

  it('performer idp:<id> with methods that provider cannot prove is an invalid_policy at its line', () => {
    const text = one('{ level: aal2, methods: [webauthn], performer: idp:corp }');
    expect(() => parsePolicyDocument(text, { filename: 'p.yaml', idps: reach })).toThrowError(
      expect.objectContaining({
        code: 'invalid_policy',
        line: 4,
        path: '/policies/0/require/methods',
        message: expect.stringMatching(
          /identity provider "corp" cannot perform any of these methods \(its "methods" map gives totp, sms_otp\)/,
        ),
      }),
    );
    expect(() => compileYaml(text, { idps: reach })).toThrow(PolicyError);
    expect(() => compileYaml(text.replace('idp:corp', 'idp:legacy'), { idps: reach })).toThrowError(
      /identity provider "legacy" cannot perform a step-up restricted to methods/,
    );
    // One method in common is enough (the provider's own map then picks its amr values); the
    // id-only check (no reach given) does not know methods.
    expect(
      compileYaml(text.replace('[webauthn]', '[webauthn, totp]'), { idps: reach }).evaluate(
        input(request('x')),
      ).requirement,
    ).toMatchObject({ performers: ['idp:corp'], methods: [], providerMethods: ['webauthn', 'totp'] });
    expect(() => parsePolicyDocument(text, { filename: 'p.yaml', idps: ['corp'] })).not.toThrow();
  });

  it('the providers’ methods are part of the policy version', () => {
    const text = one('{ level: aal2, methods: [totp], performer: any }');
    const a = compileYaml(text, { idps: reach });
    const b = compileYaml(text, {
      idps: reach.map((i) => (i.id === 'okta' ? { ...i, methods: ['webauthn'] as const } : i)),
    });
    expect(a.version).not.toBe(b.version);
    // A provider that maps no methods keeps the version it had before methods existed.
    const plain = [{ id: 'corp', maxLevel: 'aal2' as const }];
    expect(compileYaml(text, { idps: plain }).version).toBe(
      compileYaml(text, { idps: [{ ...plain[0]!, methods: [] }] }).version,
    );
  });
});
