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
