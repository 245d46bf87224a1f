import { randomBytes } from 'node:crypto';
import {
  type EnrollmentView,
  type FactorAddedAnswer,
  StepgateError,
  type TotpConfirmRequest,
  type TotpEnrollmentAnswer,
} from '@stepgate/protocol';
import { type ChallengeDeps, challengeFailed } from '../challenges/challenge-deps.js';
import { base32, DEFAULT_TOTP, matchTotp, newTotpSecret, otpauthUri } from '../challenges/totp.js';
import { sealTotpFactor } from '../challenges/totp-factor.js';
import type { EnrollmentTicketRecord } from '../stores/challenge-store.js';
import type { FactorRecord } from '../stores/store.js';
import { announceFactorAdded } from './announce.js';
import { factorView } from './factor-view.js';
import { newFactorLevel } from './new-factor-level.js';
import { requestEnrollment } from './request-enrollment.js';

/** Failed TOTP confirmations before a ticket dies. */
export const MAX_CONFIRM_FAILURES = 5;

const pendingContext = (ticket: string) => `totp-pending:${ticket}`;

/**
 * Enrollment with a ticket (docs/design/wire-contract.md "HTTP API (v1)"): the ticket's view, then TOTP — a fresh secret
 * (160 bits, sealed at rest, shown once, S9) and its confirmation, after which the factor counts.
 * The confirmed step is recorded as used (S6); the user is told at every contact point (S31).
 *
 * @example
 * const enrollment = new EnrollmentService(deps);
 * const { secret, otpauthUri } = await enrollment.startTotp('enr_…');
 * const { factor } = await enrollment.confirmTotp('enr_…', { code: '123456' });
 */
export class EnrollmentService {
  readonly #deps: ChallengeDeps;

  constructor(deps: ChallengeDeps) {
    this.#deps = deps;
  }

  /** `POST /v1/enrollments`; see {@link requestEnrollment}. */
  request(body: Parameters<typeof requestEnrollment>[1], caller: { audience: string }) {
    return requestEnrollment(this.#deps, body, caller);
  }

  async #ticket(id: string): Promise<EnrollmentTicketRecord> {
    const t = await this.#deps.challenges.getTicket(id);
    if (
      !t ||
      t.usedAt !== undefined ||
      this.#deps.now() >= t.expiresAt ||
      t.attempts >= MAX_CONFIRM_FAILURES
    ) {
      throw new StepgateError('not_found', 'no such enrollment ticket, or it was used or expired');
    }
    return t;
  }

  /**
   * `GET /v1/enrollments/{ticket}`: who enrolls, what can be added, the factors they have.
   * @throws StepgateError `not_found` for an unknown, used or expired ticket.
   */
  async view(id: string): Promise<EnrollmentView> {
    const t = await this.#ticket(id);
    const [user, factors] = await Promise.all([
      this.#deps.store.getUser(t.userId),
      this.#deps.store.listFactors(t.userId),
    ]);
    const view: EnrollmentView = {
      userId: t.userId,
      methods: t.methods,
      factors: factors.map(factorView),
      expiresAt: new Date(t.expiresAt).toISOString(),
    };
    if (user?.displayName !== undefined) view.displayName = user.displayName;
    return view;
  }

  /**
   * `POST /v1/enrollments/{ticket}/totp`: a new secret and its `otpauth://` URI. Asking again
   * replaces the pending secret.
   * @throws StepgateError `not_found`; `invalid_request` when the ticket does not allow TOTP.
   */
  async startTotp(id: string): Promise<TotpEnrollmentAnswer> {
    const t = await this.#ticket(id);
    if (!t.methods.includes('totp'))
      throw new StepgateError('invalid_request', 'this ticket cannot add TOTP');
    const secret = newTotpSecret();
    await this.#deps.challenges.setPendingTotp(id, this.#deps.sealer.seal(secret, pendingContext(id)));
    const user = await this.#deps.store.getUser(t.userId);
    return {
      secret: base32(secret),
      otpauthUri: otpauthUri({
        secret,
        issuer: this.#deps.enrollment.totpIssuer,
        account: user?.email ?? user?.displayName ?? t.userId,
      }),
    };
  }

  /**
   * `POST /v1/enrollments/{ticket}/totp/confirm`: the factor counts only once a code from the
   * app matches (T−1..T+1); that step is then used. Its level is the policies' TOTP level, at
   * most the level the ticket's step-up proved (S33, `newFactorLevel`).
   * @throws StepgateError `challenge_failed` with `attemptsLeft` for a wrong code; `not_found`.
   */
  async confirmTotp(id: string, body: TotpConfirmRequest): Promise<FactorAddedAnswer> {
    const deps = this.#deps;
    const t = await this.#ticket(id);
    if (t.pendingTotp === undefined)
      throw new StepgateError('invalid_request', 'start TOTP enrollment first');
    const secret = deps.sealer.open(t.pendingTotp, pendingContext(id));
    const now = deps.now();
    const step = matchTotp(secret, body.code, Math.floor(now / 1000), DEFAULT_TOTP);
    if (step === undefined) {
      const failures = await deps.challenges.recordTicketFailure(id);
      throw challengeFailed(Math.max(0, MAX_CONFIRM_FAILURES - failures));
    }
    // S33: at most the level the ticket's step-up proved (read before the ticket is spent).
    const level = await newFactorLevel(deps, t, deps.methodLevels().totp);
    if (!(await deps.challenges.spendTicket(id, now))) throw challengeFailed(0);
    const factorId = `fac_${randomBytes(16).toString('base64url')}`;
    const factor: FactorRecord = {
      id: factorId,
      userId: t.userId,
      method: 'totp',
      maxLevel: level.maxLevel,
      data: sealTotpFactor(deps.sealer, factorId, secret, DEFAULT_TOTP),
      createdAt: now,
      ...(body.label === undefined ? {} : { label: body.label }),
    };
    await deps.challenges.advanceTotpStep(factorId, step);
    await deps.store.insertFactor(factor);
    await deps.events.append({
      type: 'factor.added',
      who: { userId: t.userId, ...(t.sessionId === undefined ? {} : { sessionId: t.sessionId }) },
      what: { method: 'totp', level: factor.maxLevel },
      factorId,
      outcome: 'ok',
      detail: level.detail,
    });
    await announceFactorAdded(deps, factor);
    return { factor: factorView(factor) };
  }
}
