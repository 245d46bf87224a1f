import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePolicy, parsePolicyDocument } from '../src/index.js';

describe('README example', () => {
  it('runs and prints what the README says', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const yaml = readme.match(/parsePolicyDocument\(\s*`([\s\S]*?)`/)?.[1] ?? '';
    const policy = compilePolicy(parsePolicyDocument(yaml, { filename: 'policies.yaml' }));
    const verdict = policy.evaluate({
      now: 1_767_225_600,
      request: {
        subject: { id: 'u1', acr: 'aal1' },
        action: { name: 'payments.transfer' },
        transaction: { amount: 25000 },
      },
      history: {
        enrolledMethods: [{ method: 'totp', maxLevel: 'aal2' }],
        device: { rememberedToken: false, fingerprintSeen: false, accountsOnDevice: 1 },
        recentFailures: 0,
        actionCounts: {},
      },
    });
    expect(verdict.decision).toBe('step_up');
    expect(verdict.requirement).toMatchObject({
      level: 'aal2',
      maxAge: 0,
      methods: ['webauthn', 'biometric', 'totp', 'sms_otp'],
      singleUse: true,
    });
    expect(readme).toContain("methods: ['webauthn', 'biometric', 'totp', 'sms_otp']");
  });
});
