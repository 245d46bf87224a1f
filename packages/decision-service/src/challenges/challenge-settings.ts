/** Limits and lifetimes of challenges, codes and enrollment (config `challenges`, `enrollment`). */
export interface ChallengeSettings {
  /** Seconds a challenge lives. @defaultValue 300 */
  lifetime: number;
  /** Failures after which a challenge dies and the step-up restarts (S26). @defaultValue 5 */
  maxFailures: number;
  lockout: {
    /** Consecutive failures that lock one authenticator (S7; at most 100). @defaultValue 10 */
    authenticator: number;
    /** Consecutive failures over all of a user's methods that lock the user. @defaultValue 20 */
    user: number;
    /** Seconds a lock lasts after the last failure. @defaultValue 900 */
    duration: number;
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
  lockout: { authenticator: 10, user: 20, duration: 900 },
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
