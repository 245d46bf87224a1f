import { describe, expect, it } from 'vitest';
import { compilePolicy, PolicyError, parsePolicyDocument } from '../src/index.js';
import { compileYaml, history, input, NOW, request } from './fixtures.js';

const doc = `
policies:
  - id: transfer
    when: { action: payments.transfer, transaction.amount: { gt: 500 } }
    require: { level: aal1, maxAge: 0, bindTransaction: true }
  - id: big-transfer
    when: { action: payments.transfer, transaction.amount: { gt: 10000 } }
    require: { level: aal2, maxAge: 5m, methods: [totp, webauthn] }
  - id: admin
    when: { action: "admin.*" }
    require: { level: aal2, maxAge: 15m }
  - id: escalation
    when: { action: [iam.role.grant, iam.role.change] }
    require: { level: aal3, methods: [webauthn, biometric, totp] }
  - id: blocked-role
    when: { subject.roles: blocked }
    effect: deny
  - id: reports
    when: { action: reports.read }
    effect: allow
  - id: watch-big
    mode: report-only
    when: { transaction.amount: { gt: 1000 } }
    effect: deny
default: deny
`;
const policy = compileYaml(doc);

describe('combination (docs/policies.md)', () => {
  it('S22: a document without a default is rejected, with its location', () => {
    expect(() => parsePolicyDocument('policies: []\n', { filename: 'p.yaml' })).toThrowError(
      expect.objectContaining({
        code: 'invalid_policy',
        file: 'p.yaml',
        line: 1,
        message: expect.stringMatching(/default/),
      }),
    );
    expect(() => compilePolicy({ policies: [] } as never)).toThrow(PolicyError);
  });

  it('S22: an unknown action follows the stated default', () => {
    const deny = policy.evaluate(input(request('unknown.action')));
    expect(deny.decision).toBe('deny');
    expect(deny.reasons).toEqual([expect.objectContaining({ policyId: 'default', code: 'default_effect' })]);
    const allow = compileYaml(doc.replace('default: deny', 'default: allow')).evaluate(
      input(request('unknown.action')),
    );
    expect(allow.decision).toBe('allow');
  });

  it('a matching allow policy overrides a deny default', () => {
    expect(policy.evaluate(input(request('reports.read'))).decision).toBe('allow');
  });

  it('deny beats step_up and allow', () => {
    const req = request('admin.users', { subject: { id: 'u1', roles: ['blocked'] } });
    const v = policy.evaluate(input(req));
    expect(v.decision).toBe('deny');
    expect(v.reasons.map((r) => r.policyId).sort()).toEqual(['admin', 'blocked-role']);
    expect(v.requirement).toBeUndefined();
  });

  it('step-ups combine to the highest level, the smallest maxAge and the intersection of methods', () => {
    const v = policy.evaluate(
      input(request('payments.transfer', { transaction: { amount: 20000, payee: 'x' } })),
    );
    expect(v.decision).toBe('step_up');
    expect(v.requirement).toEqual({
      level: 'aal2',
      acr: 'urn:stepgate:aal2',
      maxAge: 0,
      methods: ['webauthn', 'totp'],
      bindTransaction: true,
      singleUse: true,
      // big-transfer names methods: the token must name one of them (S24).
      restrictsMethods: true,
    });
    expect(v.usableMethods).toEqual(['webauthn', 'totp']);
  });

  it('keeps only methods that can reach the combined level', () => {
    const v = policy.evaluate(input(request('iam.role.grant')));
    expect(v.decision).toBe('step_up');
    expect(v.requirement?.methods).toEqual(['webauthn', 'biometric']);
    expect(v.usableMethods).toEqual(['webauthn']);
  });

  it('a requirement no method can reach is a deny that says so, never a downgrade', () => {
    const p = compileYaml(`
policies:
  - id: hw
    when: { action: keys.rotate }
    require: { level: aal3, methods: [totp, sms_otp] }
default: allow
`);
    const v = p.evaluate(input(request('keys.rotate')));
    expect(v.decision).toBe('deny');
    expect(v.reasons).toContainEqual(
      expect.objectContaining({
        code: 'requirement_unsatisfiable',
        detail: expect.stringMatching(/unsatisfiable.*aal3/),
      }),
    );
  });

  it('a requirement the user has no enrolled factor for is a deny (synced passkeys stay aal2)', () => {
    const synced = history([
      ['webauthn', 'aal2'],
      ['totp', 'aal2'],
    ]);
    const v = policy.evaluate(input(request('iam.role.grant'), synced));
    expect(v.decision).toBe('deny');
    expect(v.reasons).toContainEqual(
      expect.objectContaining({
        code: 'requirement_unsatisfiable',
        detail: expect.stringMatching(/no enrolled method/),
      }),
    );
    expect(policy.evaluate(input(request('admin.users'), history([]))).decision).toBe('deny');
    // The protocol carries a requirement only with step_up, or with allow when it was met.
    expect(v.requirement).toBeUndefined();
  });

  it('the session itself meets a requirement: allow, with the requirement and a reason', () => {
    const req = request('admin.users', {
      subject: { id: 'u1', roles: [], acr: 'urn:stepgate:aal2', authTime: NOW - 60 },
    });
    const v = policy.evaluate(input(req));
    expect(v.decision).toBe('allow');
    expect(v.requirement?.level).toBe('aal2');
    expect(v.reasons).toContainEqual(expect.objectContaining({ code: 'requirement_met_by_session' }));
  });

  it('S1: a session authenticated maxAge + 1 s ago gets step_up; maxAge ago is still fresh', () => {
    const at = (authTime: number) =>
      policy.evaluate(
        input(request('admin.users', { subject: { id: 'u1', roles: [], acr: 'aal2', authTime } })),
      ).decision;
    expect(at(NOW - 15 * 60 - 1)).toBe('step_up');
    expect(at(NOW - 15 * 60)).toBe('allow');
  });

  it('S34: the combined requirement accepts any action only when every matched step-up says so', () => {
    const any = compileYaml(`
policies:
  - id: reports
    when: { action: "reports.*" }
    require: { level: aal2, maxAge: 15m, anyAction: true }
  - id: reports-export
    when: { action: reports.export }
    require: { level: aal2, maxAge: 15m }
  - id: admin
    when: { action: "admin.*" }
    require: { level: aal2, maxAge: 15m, anyAction: true }
  - id: admin-audit
    when: { action: admin.audit }
    require: { level: aal2, maxAge: 10m, anyAction: true }
default: allow
`);
    const read = any.evaluate(input(request('reports.read'))).requirement;
    expect(read).toMatchObject({ level: 'aal2', maxAge: 900, anyAction: true });
    // Same level, maxAge, binding and methods, but one policy wants the token's action: a
    // different shape, so the shared requirement cache must not hand out the first object.
    const exp = any.evaluate(input(request('reports.export'))).requirement;
    expect(exp).toMatchObject({ level: 'aal2', maxAge: 900 });
    expect(exp).not.toHaveProperty('anyAction');
    expect(any.evaluate(input(request('reports.read'))).requirement).toBe(read);
    expect(any.evaluate(input(request('admin.audit'))).requirement).toMatchObject({
      maxAge: 600,
      anyAction: true,
    });
  });

  it('S34: anyAction with bindTransaction or maxAge 0 is refused at its location', () => {
    for (const spec of ['bindTransaction: true', 'maxAge: 0s']) {
      expect(() =>
        compileYaml(
          `policies:\n  - id: p\n    require: { level: aal2, ${spec}, anyAction: true }\ndefault: allow\n`,
        ),
      ).toThrowError(
        expect.objectContaining({
          code: 'invalid_policy',
          path: '/policies/0/require/anyAction',
          line: 3,
          message: expect.stringContaining('anyAction cannot be combined with bindTransaction or maxAge 0'),
        }),
      );
    }
  });

  it('maxAge 0 or a bound transaction is single use and never met by the session', () => {
    const req = request('payments.transfer', {
      subject: { id: 'u1', roles: [], acr: 'aal3', authTime: NOW },
      transaction: { amount: 600 },
    });
    const v = policy.evaluate(input(req));
    expect(v.decision).toBe('step_up');
    expect(v.requirement).toMatchObject({ maxAge: 0, singleUse: true, bindTransaction: true, level: 'aal1' });
  });

  it('report-only policies are reported, never enforced', () => {
    const v = policy.evaluate(input(request('reports.read', { transaction: { amount: 5000 } })));
    expect(v.decision).toBe('allow');
    expect(v.reportOnly).toEqual([
      expect.objectContaining({
        policyId: 'watch-big',
        decision: 'deny',
        reasons: [expect.objectContaining({ values: { 'transaction.amount': 5000 } })],
      }),
    ]);
  });

  it('reasons carry the values that made each policy match', () => {
    const v = policy.evaluate(input(request('payments.transfer', { transaction: { amount: 700 } })));
    expect(v.reasons[0]).toEqual({
      policyId: 'transfer',
      code: 'policy_matched',
      detail: 'step up',
      values: { action: 'payments.transfer', 'transaction.amount': 700 },
    });
    expect(v.policyVersion).toBe(policy.version);
  });

  it('whatIf names the first failing condition of every policy that did not match', () => {
    const w = policy.whatIf(input(request('payments.transfer', { transaction: { amount: 700 } })));
    expect(w.matched).toEqual(['transfer']);
    expect(w.notMatched.find((n) => n.policyId === 'big-transfer')?.failed).toEqual({
      path: '/policies/1/when/transaction.amount/gt',
      field: 'transaction.amount',
      op: 'gt',
      expected: 10000,
      actual: 700,
    });
    expect(w.notMatched.find((n) => n.policyId === 'admin')?.failed).toMatchObject({
      field: 'action',
      op: 'glob',
      expected: 'admin.*',
    });
    expect(w.decision).toBe('step_up');
  });

  it('methods: NIST defaults, operator overrides, disabled methods', () => {
    expect(policy.methodLevels).toEqual({
      email_otp: 'aal1',
      sms_otp: 'aal2',
      totp: 'aal2',
      webauthn: 'aal2',
      biometric: 'aal2',
    });
    const p = compileYaml(`
methods: { email_otp: aal2, sms_otp: false }
policies:
  - id: a
    when: { action: a }
    require: { level: aal2 }
default: allow
`);
    expect(p.enabledMethods).toEqual(['webauthn', 'biometric', 'totp', 'email_otp']);
    const v = p.evaluate(
      input(
        request('a'),
        history([
          ['email_otp', 'aal2'],
          ['sms_otp', 'aal2'],
        ]),
      ),
    );
    expect(v.requirement?.methods).toEqual(['webauthn', 'biometric', 'totp', 'email_otp']);
    expect(v.usableMethods).toEqual(['email_otp']);
    expect(() =>
      compileYaml(
        'methods: { sms_otp: false }\npolicies:\n  - id: a\n    require: { level: aal2, methods: [sms_otp] }\ndefault: allow\n',
      ),
    ).toThrow(/disabled/);
  });

  it('an email code stays below aal2 by default (S3)', () => {
    const v = policy.evaluate(input(request('admin.users'), history([['email_otp', 'aal3']])));
    expect(v.decision).toBe('deny');
  });

  it('the version is stable across formatting and key order, and changes with meaning', () => {
    const json = JSON.stringify(parsePolicyDocument(doc));
    expect(compilePolicy(JSON.parse(json)).version).toBe(policy.version);
    const reordered = doc.replace('{ level: aal2, maxAge: 15m }', '{ maxAge: 900, level: aal2 }');
    expect(compileYaml(reordered).version).toBe(policy.version);
    expect(compileYaml(doc.replace('maxAge: 15m', 'maxAge: 10m')).version).not.toBe(policy.version);
    expect(policy.version).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('malformed input is a deny with code invalid_input', () => {
    const v = policy.evaluate({ request: { subject: {} }, now: NOW, history: history() } as never);
    expect(v.decision).toBe('deny');
    expect(v.reasons[0]?.code).toBe('invalid_input');
  });
});

describe('edge cases', () => {
  it('a policy without `when` matches every request', () => {
    const p = compileYaml('policies:\n  - { id: all, effect: deny }\ndefault: allow\n');
    expect(p.evaluate(input(request('anything'))).decision).toBe('deny');
  });

  it('a missing history means no enrolled factor: a step-up is unsatisfiable, not granted', () => {
    const v = policy.evaluate({ request: request('admin.users'), now: NOW } as never);
    expect(v.decision).toBe('deny');
    expect(v.reasons).toContainEqual(expect.objectContaining({ code: 'requirement_unsatisfiable' }));
  });

  it('an unknown acr counts as aal1, never more', () => {
    const v = policy.evaluate(
      input(request('admin.users', { subject: { id: 'u1', roles: [], acr: 'urn:idp:gold', authTime: NOW } })),
    );
    expect(v.decision).toBe('step_up');
  });

  it('whatIf reports report-only policies too', () => {
    const w = policy.whatIf(input(request('reports.read', { transaction: { amount: 2000 } })));
    expect(w.matched).toContain('watch-big');
    expect(w.reportOnly.map((r) => r.policyId)).toEqual(['watch-big']);
  });
});
