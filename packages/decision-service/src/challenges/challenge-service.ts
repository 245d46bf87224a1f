import {
  type ChallengeMethodView,
  type ChallengeView,
  type Method,
  type Requirement,
  type StartAnswer,
  StepgateError,
  type Transaction,
} from '@stepgate/protocol';
import type { ChallengeBinding } from '../stores/challenge-store.js';
import type { ChallengeRecord } from '../stores/store.js';
import { withSpan } from '../telemetry/tracing.js';
import {
  type ChallengeDeps,
  challengeFailed,
  effectiveStatus,
  rateLimitedChallenge,
  withSession,
} from './challenge-deps.js';
import type { ChallengeEvent } from './challenge-events.js';
import { maskEmail, maskPhone } from './mask.js';
import { methodLocks } from './method-locks.js';
import { codeMessage, messageLabel, newSentCode, type SentCodeMethod, sentCodeHash } from './sent-code.js';
import { verifyChallenge } from './verify-challenge.js';
import { startPossession } from './webauthn.js';

/** Where a sent-code method delivers, masked, or undefined. */
function destination(method: Method, binding: ChallengeBinding | undefined): string | undefined {
  if (method === 'email_otp' && binding?.email) return maskEmail(binding.email);
  if (method === 'sms_otp' && binding?.phone) return maskPhone(binding.phone);
  return undefined;
}

/**
 * The challenge lifecycle (docs/design/wire-contract.md "HTTP API (v1)"): view, start (send a code) and verify (mint the
 * upgraded token), in that order only (S26).
 *
 * @example
 * const service = new ChallengeService(deps);
 * const view = await service.view('chl_…');
 * await service.start('chl_…', 'email_otp', '203.0.113.7'); // { sentTo: 'j***@example.com', resendAfter: 30 }
 */
export class ChallengeService {
  readonly #deps: ChallengeDeps;

  constructor(deps: ChallengeDeps) {
    this.#deps = deps;
  }

  /**
   * `GET /v1/challenges/{id}`: status, allowed methods with masked destinations, attempts left,
   * expiry and the server's copy of the transaction (S18).
   *
   * @throws StepgateError `not_found` for an unknown id.
   */
  async view(id: string): Promise<ChallengeView> {
    const { challenges, settings, now } = this.#deps;
    const c = await challenges.getChallenge(id);
    if (!c) throw new StepgateError('not_found', 'no such challenge');
    const binding = await challenges.getBinding(id);
    const status = effectiveStatus(c, now());
    const requirement = JSON.parse(c.requirement) as Requirement;
    const locks =
      binding && status === 'pending' ? await methodLocks(this.#deps, c, binding, now()) : new Map();
    const methods: ChallengeMethodView[] = c.methods.map((method) => {
      const view: ChallengeMethodView = { method };
      const dest = destination(method, binding);
      if (dest !== undefined) view.destination = dest;
      const lock = locks.get(method);
      if (lock) view.lock = lock;
      return view;
    });
    const view: ChallengeView = {
      id,
      status,
      action: c.action,
      level: requirement.level,
      acr: requirement.acr,
      methods,
      attemptsLeft: status === 'pending' ? Math.max(0, settings.maxFailures - c.attempts) : 0,
      expiresAt: new Date(c.expiresAt).toISOString(),
    };
    const label = this.#deps.actionLabel(c.action);
    if (label) view.actionLabel = { ...label };
    if (c.transaction !== undefined) view.transaction = JSON.parse(c.transaction) as Transaction;
    return view;
  }

  /**
   * `POST /v1/challenges/{id}/start`: sends a code for `email_otp` / `sms_otp` (again = resend
   * after the cooldown, invalidating the previous code, S8); `{}` for `totp`.
   *
   * @throws StepgateError `challenge_failed` for an unknown, finished or expired challenge or a
   * method it does not allow (S24); `rate_limited`; `service_unavailable` when no sender can deliver.
   */
  async start(id: string, method: Method, clientIp: string): Promise<StartAnswer> {
    const deps = this.#deps;
    const now = deps.now();
    const { challenge: c, binding } = await rateLimitedChallenge(deps, 'start', id, clientIp, now);
    if (effectiveStatus(c, now) !== 'pending') throw challengeFailed(0);
    const attemptsLeft = Math.max(0, deps.settings.maxFailures - c.attempts);
    if (!c.methods.includes(method)) throw challengeFailed(attemptsLeft);
    const base = {
      who: withSession({ userId: c.userId, audience: c.audience }, c.sessionId),
      what: { action: c.action, transactionDigest: c.digest, method },
      where: { ip: clientIp },
      challengeId: id,
    };
    if (method === 'totp') {
      await deps.events.append({ type: 'challenge.started', ...base });
      return {};
    }
    if ((method === 'webauthn' || method === 'biometric') && deps.webauthn) {
      const answer = await startPossession(deps.store, deps.webauthn, c, binding, method, now);
      await deps.events.append({ type: 'challenge.started', ...base });
      return answer;
    }
    if (method !== 'email_otp' && method !== 'sms_otp') {
      throw new StepgateError('invalid_request', `${method} is not available on this service yet`);
    }
    return this.#sendCode(c, binding, method, base, now);
  }

  async #sendCode(
    c: ChallengeRecord,
    binding: ChallengeBinding,
    method: SentCodeMethod,
    base: Omit<ChallengeEvent, 'type'>,
    now: number,
  ): Promise<StartAnswer> {
    const deps = this.#deps;
    const { settings } = deps;
    // Issue 19: a code for a locked or waiting method could not be accepted; do not send one.
    const lock = (await methodLocks(deps, c, binding, now)).get(method);
    if (lock?.state === 'waiting') {
      const retryAfter = Math.max(1, Math.ceil((Date.parse(lock.until) - now) / 1000));
      throw new StepgateError('rate_limited', `${method} is waiting after failed attempts; retry later`, {
        details: { retryAfter },
      });
    }
    if (lock) throw challengeFailed(Math.max(0, settings.maxFailures - c.attempts));
    const to = method === 'email_otp' ? binding.email : binding.phone;
    const sender = method === 'email_otp' ? deps.senders.email : deps.senders.sms;
    // S10: the same body as any other failure on this challenge (unreachable in practice: a
    // method is allowed only with its contact point).
    if (to === undefined) throw challengeFailed(Math.max(0, settings.maxFailures - c.attempts));
    if (!sender) throw new StepgateError('service_unavailable', `no sender is configured for ${method}`);
    // S8, S37: the cooldown is claimed in the store before the sender is called, so parallel
    // starts send one code, not one each.
    const slot = await deps.challenges.claimSendSlot(c.id, now, settings.resendAfter * 1000);
    if (!slot.claimed) {
      const retryAfter = Math.max(1, Math.ceil(slot.retryAfterMs / 1000));
      throw new StepgateError('rate_limited', 'a code was sent moments ago; retry later', {
        details: { retryAfter },
      });
    }
    const code = newSentCode();
    const expiresAt = Math.min(now + settings.codeLifetime * 1000, c.expiresAt);
    const transaction = c.transaction === undefined ? undefined : (JSON.parse(c.transaction) as Transaction);
    const labels = deps.actionLabel(c.action);
    const text = codeMessage({
      code,
      label: messageLabel(labels),
      minutes: Math.ceil((expiresAt - now) / 60_000),
      ...(transaction === undefined ? {} : { transaction }),
    });
    try {
      await deps.events.append({ type: 'challenge.started', ...base });
      await sender.send({
        kind: 'code',
        channel: method === 'email_otp' ? 'email' : 'sms',
        to,
        userId: c.userId,
        ...text,
        code,
        challengeId: c.id,
        action: c.action,
        ...(labels === undefined ? {} : { actionLabel: { ...labels } }),
        ...(transaction === undefined ? {} : { transaction }),
      });
    } catch (error) {
      // Nothing was delivered: give the slot back, so the user can retry at once.
      await deps.challenges.releaseSendSlot(c.id, now);
      throw error;
    }
    // Stored once delivered. The new hash replaces the old one: a resend invalidates the
    // previous code (S8).
    await deps.challenges.putSentCode({
      challengeId: c.id,
      method,
      hash: sentCodeHash(deps.sealer, c.id, method, code),
      sentAt: now,
      expiresAt,
    });
    const sentTo = (method === 'email_otp' ? maskEmail : maskPhone)(to);
    await deps.events.append({
      type: 'challenge.code_sent',
      ...base,
      detail: {
        sentTo,
        channel: sender.kind === 'dev' ? 'dev' : sender.kind === 'smtp' ? 'email' : 'webhook',
      },
    });
    return { sentTo, resendAfter: settings.resendAfter };
  }

  /** `POST /v1/challenges/{id}/verify`; see {@link verifyChallenge}. */
  verify(id: string, body: Parameters<typeof verifyChallenge>[2], clientIp: string) {
    // OpenTelemetry: a `stepgate.challenge.verify` span (no-op without an SDK).
    return withSpan('stepgate.challenge.verify', { 'stepgate.method': body.method }, () =>
      verifyChallenge(this.#deps, id, body, clientIp),
    );
  }
}
