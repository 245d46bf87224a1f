import type { Level, Requirement, StepUpTokenClaims } from '@stepgate/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRequirement } from '../src/index.js';
import { NOW } from './fixtures.js';

const subject = { id: 'u1', sessionId: 's1', authTime: NOW - 3600, acr: 'aal1' };
const req = (over: Partial<Requirement> = {}): Requirement => ({
  level: 'aal2',
  acr: 'urn:stepgate:aal2',
  maxAge: 300,
  methods: ['totp'],
  bindTransaction: false,
  singleUse: false,
  ...over,
});
const token = (over: Partial<StepUpTokenClaims> = {}): StepUpTokenClaims => ({
  iss: 'https://stepgate.test',
  sub: 'u1',
  aud: 'app',
  iat: NOW - 10,
  exp: NOW + 290,
  jti: 'j1',
  acr: 'urn:stepgate:aal2',
  amr: ['otp', 'mfa'],
  auth_time: NOW - 10,
  sid: 's1',
  authorization_details: [{ type: 'urn:stepgate:step-up', action: 'payments.transfer', digest: 'D1' }],
  ...over,
});
const check = (r: Requirement, t?: StepUpTokenClaims, over: Record<string, unknown> = {}) =>
  checkRequirement(r, {
    now: NOW,
    subject,
    action: 'payments.transfer',
    digest: 'D1',
    ...(t ? { token: t } : {}),
    ...over,
  });

describe('checkRequirement (docs/policies.md)', () => {
  it('the session meets a requirement at its level within maxAge', () => {
    const s = { id: 'u1', sessionId: 's1', acr: 'urn:stepgate:aal2', authTime: NOW - 300 };
    expect(checkRequirement(req(), { now: NOW, subject: s, action: 'a' })).toEqual({
      satisfied: true,
      by: 'session',
    });
    expect(checkRequirement(req({ level: 'aal3' }), { now: NOW, subject: s, action: 'a' })).toMatchObject({
      satisfied: false,
      code: 'level_too_low',
    });
    expect(
      checkRequirement(req({ maxAge: undefined as never }), {
        now: NOW,
        subject: { ...s, authTime: 0 },
        action: 'a',
      }).satisfied,
    ).toBe(true);
  });

  it('S1: auth_time = now − maxAge − 1 s is too old, for the session and for a token', () => {
    const s = { id: 'u1', acr: 'aal2', authTime: NOW - 301 };
    expect(checkRequirement(req(), { now: NOW, subject: s, action: 'a' })).toMatchObject({
      satisfied: false,
      code: 'auth_too_old',
    });
    expect(check(req(), token({ auth_time: NOW - 301 }))).toMatchObject({
      satisfied: false,
      code: 'auth_too_old',
    });
    expect(check(req(), token({ auth_time: NOW - 300 }))).toEqual({ satisfied: true, by: 'token' });
  });

  it('a token must have the level, the caller’s sub and sid, and not be expired', () => {
    expect(check(req(), token())).toEqual({ satisfied: true, by: 'token' });
    expect(check(req({ level: 'aal3' }), token())).toMatchObject({ code: 'level_too_low' });
    expect(check(req(), token({ acr: 'urn:other' }))).toMatchObject({ code: 'level_too_low' });
    expect(check(req(), token({ sub: 'u2' }))).toMatchObject({ code: 'subject_mismatch' });
    expect(check(req(), token({ sid: 's2' }))).toMatchObject({ code: 'session_mismatch' });
    const { sid: _sid, ...noSid } = token();
    expect(check(req(), noSid as StepUpTokenClaims)).toMatchObject({ code: 'session_mismatch' });
    expect(check(req(), token({ exp: NOW }))).toMatchObject({ code: 'token_expired' });
    expect(check(req(), token({ auth_time: NOW + 3600 }))).toMatchObject({ code: 'auth_time_in_future' });
  });

  it('a bound requirement needs the token’s action and digest to match this request', () => {
    const bound = req({ bindTransaction: true, singleUse: true });
    expect(check(bound, token())).toEqual({ satisfied: true, by: 'token' });
    expect(check(bound, token(), { action: 'payments.refund' })).toMatchObject({ code: 'action_mismatch' });
    expect(check(bound, token(), { digest: 'D2' })).toMatchObject({ code: 'digest_mismatch' });
    expect(check(bound, token(), { digest: undefined })).toMatchObject({ code: 'digest_mismatch' });
    expect(check(bound, token({ authorization_details: [] }))).toMatchObject({ code: 'token_not_bound' });
  });

  it('S34: a token minted for one action is refused for another even when the requirement does not bind', () => {
    const unbound = req({ level: 'aal1', maxAge: 900 });
    expect(check(unbound, token())).toEqual({ satisfied: true, by: 'token' });
    expect(check(unbound, token(), { action: 'admin.users.export' })).toMatchObject({
      satisfied: false,
      code: 'action_mismatch',
    });
    // Another transaction of the same action is fine when the requirement does not bind it.
    expect(check(unbound, token(), { digest: 'D2' })).toEqual({ satisfied: true, by: 'token' });
    expect(check(unbound, token({ authorization_details: [] }))).toMatchObject({ code: 'token_not_bound' });
    expect(
      check(
        unbound,
        token({ authorization_details: [{ type: 'other', action: 'payments.transfer' }] as never }),
      ),
    ).toMatchObject({ code: 'token_not_bound' });
  });

  it('S34: anyAction accepts a token minted for another action; a token for this request only never does', () => {
    const any = req({ level: 'aal1', maxAge: 900, anyAction: true });
    expect(check(any, token(), { action: 'admin.users.export' })).toEqual({ satisfied: true, by: 'token' });
    expect(check(any, token({ authorization_details: [] }))).toEqual({ satisfied: true, by: 'token' });
    // Level, freshness, user and session still count.
    expect(check(any, token({ auth_time: NOW - 901 }), { action: 'x' })).toMatchObject({
      code: 'auth_too_old',
    });
    expect(check(any, token({ sub: 'u2' }), { action: 'x' })).toMatchObject({ code: 'subject_mismatch' });
    // A bound or maxAge-0 requirement compares action and digest whatever anyAction says.
    const bound = req({ bindTransaction: true, singleUse: true, anyAction: true });
    expect(check(bound, token(), { action: 'payments.refund' })).toMatchObject({ code: 'action_mismatch' });
    const once = req({ maxAge: 0, singleUse: true, anyAction: true });
    expect(check(once, token(), { digest: 'D9' })).toMatchObject({ code: 'digest_mismatch' });
  });

  it('S24: a requirement that restricts methods is met by the session only when subject.methods names an allowed one', () => {
    const passkey = req({ level: 'aal2', maxAge: 900, methods: ['webauthn'], restrictsMethods: true });
    const aal2 = { id: 'u1', sessionId: 's1', acr: 'aal2', authTime: NOW - 60 };
    const bySession = (subject: Record<string, unknown>, r = passkey) =>
      checkRequirement(r, { now: NOW, subject: subject as never, action: 'a' });
    // The session's level alone does not say which method proved it: the step-up runs.
    expect(bySession(aal2)).toMatchObject({ satisfied: false, code: 'method_not_proven' });
    expect(bySession({ ...aal2, methods: [] })).toMatchObject({
      satisfied: false,
      code: 'method_not_proven',
    });
    expect(bySession({ ...aal2, methods: ['totp'] })).toMatchObject({
      satisfied: false,
      code: 'method_not_proven',
    });
    expect(bySession({ ...aal2, methods: 'webauthn' })).toMatchObject({ satisfied: false });
    expect(bySession({ ...aal2, methods: ['totp', 'webauthn'] })).toEqual({ satisfied: true, by: 'session' });
    // Level and freshness still count.
    expect(bySession({ ...aal2, acr: 'aal1', methods: ['webauthn'] })).toMatchObject({
      code: 'level_too_low',
    });
    expect(bySession({ ...aal2, authTime: NOW - 901, methods: ['webauthn'] })).toMatchObject({
      code: 'auth_too_old',
    });
    // A provider-performed requirement lists its allowed methods in providerMethods.
    const byIdp = req({
      methods: [],
      providerMethods: ['webauthn'],
      performers: ['idp:corp'],
      restrictsMethods: true,
    });
    expect(bySession({ ...aal2, methods: ['webauthn'] }, byIdp)).toEqual({ satisfied: true, by: 'session' });
    expect(bySession({ ...aal2, methods: ['totp'] }, byIdp)).toMatchObject({ code: 'method_not_proven' });
    // Unrestricted (no require.methods): as before, no subject.methods needed.
    expect(bySession(aal2, req({ level: 'aal2', maxAge: 900, methods: ['webauthn', 'totp'] }))).toEqual({
      satisfied: true,
      by: 'session',
    });
  });

  it('S24: a token counts for a requirement that restricts methods only when it names an allowed method, anyAction or not', () => {
    const passkey = req({ methods: ['webauthn'], restrictsMethods: true });
    const detail = (method?: string) => [
      {
        type: 'urn:stepgate:step-up' as const,
        action: 'payments.transfer',
        digest: 'D1',
        ...(method === undefined ? {} : { method }),
      },
    ];
    const totp = token({ authorization_details: detail('totp') as never });
    const webauthn = token({
      amr: ['hwk', 'user', 'mfa'],
      authorization_details: detail('webauthn') as never,
    });
    const unnamed = token({ authorization_details: detail() as never });
    expect(check(passkey, totp)).toMatchObject({ satisfied: false, code: 'method_not_allowed' });
    expect(check({ ...passkey, anyAction: true }, totp)).toMatchObject({
      satisfied: false,
      code: 'method_not_allowed',
    });
    expect(check({ ...passkey, anyAction: true }, totp, { action: 'reports.read' })).toMatchObject({
      code: 'method_not_allowed',
    });
    expect(check(passkey, webauthn)).toEqual({ satisfied: true, by: 'token' });
    expect(check({ ...passkey, anyAction: true }, webauthn, { action: 'reports.read' })).toEqual({
      satisfied: true,
      by: 'token',
    });
    // A token minted before tokens named their method, or with no step-up detail at all: refused.
    expect(check(passkey, unnamed)).toMatchObject({ code: 'method_not_allowed' });
    expect(check({ ...passkey, anyAction: true }, token({ authorization_details: [] }))).toMatchObject({
      code: 'method_not_allowed',
    });
    expect(check(passkey, token({ authorization_details: detail('passkey') as never }))).toMatchObject({
      code: 'method_not_allowed',
    });
    // Unrestricted: the method is not asked about.
    expect(check(req({ methods: ['webauthn', 'totp'] }), unnamed)).toEqual({ satisfied: true, by: 'token' });
    expect(check(req({ methods: ['webauthn'] }), totp)).toEqual({ satisfied: true, by: 'token' });
  });

  it('maxAge 0: only a single-use token bound to this request, never the session', () => {
    const once = req({ maxAge: 0, singleUse: true });
    const fresh = { id: 'u1', sessionId: 's1', acr: 'aal3', authTime: NOW };
    expect(checkRequirement(once, { now: NOW, subject: fresh, action: 'payments.transfer' })).toMatchObject({
      code: 'token_required',
    });
    expect(check(once, token({ auth_time: NOW - 100 }))).toEqual({ satisfied: true, by: 'token' });
    expect(check(once, token(), { digest: 'D9' })).toMatchObject({ code: 'digest_mismatch' });
  });

  it('never throws on malformed input', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (a, b) => {
        const r = checkRequirement(req(), { now: NOW, subject: a as never, action: 'x', token: b as never });
        expect(typeof r.satisfied).toBe('boolean');
      }),
    );
  });

  it('property: a stronger token never fails where a weaker one passes', () => {
    const levels: Level[] = ['aal1', 'aal2', 'aal3'];
    fc.assert(
      fc.property(
        fc.constantFrom(...levels),
        fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 0, max: 2000 }),
        (level, maxAge, bind, weak, extra, weakAge, fresher) => {
          const r = req({ level, ...(maxAge === undefined ? {} : { maxAge }), bindTransaction: bind });
          if (maxAge === undefined) delete (r as Partial<Requirement>).maxAge;
          const strongLevel = Math.min(2, weak + extra);
          const weaker = token({ acr: `urn:stepgate:${levels[weak]}`, auth_time: NOW - weakAge });
          const stronger = token({
            acr: `urn:stepgate:${levels[strongLevel]}`,
            auth_time: NOW - Math.max(0, weakAge - fresher),
          });
          if (check(r, weaker).satisfied) expect(check(r, stronger).satisfied).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
