import type { Subject } from '@stepgate/protocol';
import { describe, expect, it } from 'vitest';
import { checkRequirement } from '../src/index.js';
import { compileYaml, history, input, NOW, request } from './fixtures.js';

const doc = `
policies:
  - id: keys-with-a-passkey
    when: { action: admin.keys.rotate }
    require: { level: aal2, maxAge: 15m, methods: [webauthn] }
  - id: admin
    when: { action: "admin.users.*" }
    require: { level: aal2, maxAge: 15m }
  - id: watch-keys
    mode: report-only
    when: { action: admin.keys.list }
    require: { level: aal2, methods: [webauthn] }
default: allow
`;
const policy = compileYaml(doc);
const idps = [{ id: 'okta', maxLevel: 'aal3' as const, methods: ['webauthn', 'totp'] as const }];
const withIdp = compileYaml(
  `policies:
  - id: keys
    when: { action: admin.keys.rotate }
    require: { level: aal2, methods: [webauthn], performer: idp:okta }
default: allow
`,
  { idps },
);

/** An aal2 session a minute old, proven by `methods` (absent when undefined). */
const session = (methods?: unknown): Subject => ({
  id: 'u1',
  sessionId: 's1',
  acr: 'aal2',
  authTime: NOW - 60,
  ...(methods === undefined ? {} : { methods: methods as NonNullable<Subject['methods']> }),
});
const decide = (action: string, subject: Subject, h = history(), p = policy) =>
  p.evaluate(input(request(action, { subject }), h));

describe('S24: require.methods binds the session (docs/policies.md "require.methods")', () => {
  it('S24: an aal2 session without subject.methods, or proven by TOTP, does not meet a passkey-only requirement', () => {
    for (const methods of [undefined, [], ['totp'], ['totp', 'sms_otp'], 'webauthn', [42]]) {
      const v = decide('admin.keys.rotate', session(methods));
      expect(v.decision, JSON.stringify(methods)).toBe('step_up');
      expect(v.requirement).toMatchObject({ methods: ['webauthn'], restrictsMethods: true });
    }
  });

  it('S24: an aal2 session proven by a passkey meets it (requirement_met_by_session)', () => {
    const v = decide('admin.keys.rotate', session(['totp', 'webauthn']));
    expect(v.decision).toBe('allow');
    expect(v.reasons).toContainEqual(expect.objectContaining({ code: 'requirement_met_by_session' }));
    expect(v.requirement).toMatchObject({ restrictsMethods: true });
    // Level and freshness still count.
    expect(decide('admin.keys.rotate', { ...session(['webauthn']), acr: 'aal1' }).decision).toBe('step_up');
    expect(decide('admin.keys.rotate', { ...session(['webauthn']), authTime: NOW - 901 }).decision).toBe(
      'step_up',
    );
  });

  it('an unrestricted requirement is met by the session as before, without subject.methods', () => {
    const v = decide('admin.users.read', session());
    expect(v.decision).toBe('allow');
    expect(v.requirement).not.toHaveProperty('restrictsMethods');
  });

  it('S24: a user with no usable factor is denied, not allowed by an unproven session (the slow path)', () => {
    const none = history([]);
    const v = decide('admin.keys.rotate', session(['totp']), none);
    expect(v.decision).toBe('deny');
    expect(v.reasons.at(-1)).toMatchObject({ code: 'requirement_unsatisfiable' });
    expect(decide('admin.keys.rotate', session(['webauthn']), none).decision).toBe('allow');
  });

  it('S24: a report-only policy reports what a restricted requirement would do with the session', () => {
    const would = (methods?: unknown) =>
      decide('admin.keys.list', session(methods)).reportOnly.find((r) => r.policyId === 'watch-keys')
        ?.decision;
    expect(would()).toBe('step_up');
    expect(would(['webauthn'])).toBe('allow');
  });

  it('S24: for a provider-performed requirement the session must show one of its providerMethods', () => {
    const v = decide('admin.keys.rotate', session(), history([]), withIdp);
    expect(v.decision).toBe('step_up');
    expect(v.requirement).toMatchObject({ providerMethods: ['webauthn'], restrictsMethods: true });
    expect(decide('admin.keys.rotate', session(['totp']), history([]), withIdp).decision).toBe('step_up');
    expect(decide('admin.keys.rotate', session(['webauthn']), history([]), withIdp).decision).toBe('allow');
  });

  it('S24: a restricted and an unrestricted requirement of the same shape are never shared', () => {
    const p = compileYaml(`policies:
  - id: any-factor
    when: { action: a }
    require: { level: aal2, maxAge: 15m }
  - id: every-factor-by-name
    when: { action: b }
    require: { level: aal2, maxAge: 15m, methods: [webauthn, biometric, totp, sms_otp] }
default: allow
`);
    const a = p.evaluate(input(request('a'))).requirement;
    const b = p.evaluate(input(request('b'))).requirement;
    expect(b?.methods).toEqual(a?.methods);
    expect(a).not.toHaveProperty('restrictsMethods');
    expect(b).toMatchObject({ restrictsMethods: true });
    expect(p.evaluate(input(request('a'))).requirement).toBe(a);
    expect(decide('a', session(), history(), p).decision).toBe('allow');
    expect(decide('b', session(), history(), p).decision).toBe('step_up');
  });

  it('S24: evaluate and checkRequirement agree on whether the session meets the requirement', () => {
    const { requirement } = decide('admin.keys.rotate', session());
    for (const methods of [undefined, [], ['totp'], ['webauthn'], ['email_otp', 'webauthn']]) {
      const subject = session(methods);
      const v = decide('admin.keys.rotate', subject);
      const met = checkRequirement(requirement!, { now: NOW, subject, action: 'admin.keys.rotate' });
      expect(met.satisfied, JSON.stringify(methods)).toBe(v.decision === 'allow');
    }
  });
});
