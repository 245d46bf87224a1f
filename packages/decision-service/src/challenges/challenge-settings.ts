/** Limits and lifetimes of challenges, codes and enrollment (config `challenges`, `enrollment`). */
export interface ChallengeSettings {
  /** Seconds a challenge lives. @defaultValue 300 */
  lifetime: number;
  /** Failures after which a challenge dies and the step-up restarts (S26). @defaultValue 5 */
  maxFailures: number;
  /**
   * Failed attempts per authenticator and per user, counted across challenges, sessions and IPs
   * (S7, S35; NIST SP 800-63B §5.2.2): a throttle that slows down below a hard cap.
   */
  lockout: {
    /**
     * Consecutive failures after which an authenticator stays locked until the user proves
     * another factor at (at least) its level, or an operator runs `stepgate factor unlock` (1–100).
     * 20 bounds an online guesser to 20 tries (≈ 6·10⁻⁵ for a TOTP code with its ±1 window); with
     * the back-off, reaching it takes about 9 hours of steady guessing.
     * @defaultValue 20
     */
    authenticator: number;
    /** Consecutive failures over all of a user's methods before the user's own back-off starts; it never locks (1–100). @defaultValue 10 */
    user: number;
    /** The back-off below the cap. */
    backoff: {
      /** Consecutive failures of an authenticator admitted without a wait (1–100). @defaultValue 5 */
      after: number;
      /** Seconds waited after the first failure past the free ones; doubles with each further one (1 s – 1 h). @defaultValue 30 */
      base: number;
      /** The longest wait, seconds (1 min – 1 day, at least `base`). @defaultValue 3600 */
      max: number;
    };
  };
  /** Seconds a sent code stays valid (S8), never longer than its challenge. @defaultValue 600 */
  codeLifetime: number;
  /** Seconds before a code may be sent again; a resend invalidates the previous code. @defaultValue 30 */
  resendAfter: number;
  /** Return a remembered-device token when asked, after a method of aal2 or more. @defaultValue true */
  rememberDevice: boolean;
  /** Requests per window on `start` and `verify`, per client IP and per user (429 `rate_limited`). */
  rateLimits: {
    /** Window, seconds. @defaultValue 60 */
    window: number;
    /** @defaultValue 30 */
    startPerIp: number;
    /** @defaultValue 10 */
    startPerUser: number;
    /** @defaultValue 60 */
    verifyPerIp: number;
    /** @defaultValue 30 */
    verifyPerUser: number;
  };
}

/** The defaults of {@link ChallengeSettings}. */
export const DEFAULT_CHALLENGE_SETTINGS: ChallengeSettings = {
  lifetime: 300,
  maxFailures: 5,
  lockout: { authenticator: 20, user: 10, backoff: { after: 5, base: 30, max: 3600 } },
  codeLifetime: 600,
  resendAfter: 30,
  rememberDevice: true,
  rateLimits: { window: 60, startPerIp: 30, startPerUser: 10, verifyPerIp: 60, verifyPerUser: 30 },
};

/** Enrollment settings (config `enrollment`). */
export interface EnrollmentSettings {
  /** Seconds an enrollment ticket lives. @defaultValue 600 */
  ticketLifetime: number;
  /** `issuer` shown by authenticator apps. @defaultValue 'Stepgate' */
  totpIssuer: string;
}

/** The defaults of {@link EnrollmentSettings}. */
export const DEFAULT_ENROLLMENT_SETTINGS: EnrollmentSettings = {
  ticketLifetime: 600,
  totpIssuer: 'Stepgate',
};
