/**
 * The typed message tables: every string the widgets show comes from one of these, so a page
 * can translate them (`lang` attribute) or replace any of them (`messages` property).
 */
import type { Method } from '@stepgate/protocol';

/** Strings of `<step-up-challenge>`. */
export interface ChallengeMessages {
  title: string;
  intro: string;
  loading: string;
  /** Heading above the server's copy of the transaction (S18). */
  confirming: string;
  /** Label of the action name in the transaction summary. */
  action: string;
  /** Labels for well-known transaction fields; other keys are shown as they are. */
  fields: Readonly<Record<string, string>>;
  chooseMethod: string;
  /** Method names, as buttons of the method picker. */
  methods: Readonly<Record<Method, string>>;
  totpLabel: string;
  codeLabel: string;
  codeSentTo: (destination: string) => string;
  send: string;
  resend: string;
  resendIn: (seconds: number) => string;
  verify: string;
  /** On the primary button while a code or passkey is checked. */
  verifying: string;
  /** Where the destination goes while the code is on its way. */
  sending: string;
  cancel: string;
  close: string;
  tryAgain: string;
  useAnother: string;
  /** A button that hands the step-up to the app's identity provider (docs/idp.md). */
  continueWith: (provider: string) => string;
  rememberDevice: string;
  webauthnPrompt: string;
  biometricPrompt: string;
  webauthnCancelled: string;
  webauthnUnavailable: string;
  /** After a wrong code (S10: the message never says why). */
  failed: (attemptsLeft: number) => string;
  expiresIn: (time: string) => string;
  expired: string;
  locked: string;
  /** Beside a method every authenticator of which is locked (the challenge view's `lock`). */
  methodLocked: string;
  /** Beside a method in its back-off: `time` is a local clock time (`10:42`). */
  methodWaiting: (time: string) => string;
  /** When no method of the challenge can be used now. */
  allLocked: string;
  network: string;
  verified: string;
}

/** Strings of `<step-up-enroll>`. */
export interface EnrollMessages {
  title: string;
  loading: string;
  greeting: (name: string) => string;
  factors: string;
  noFactors: string;
  methods: Readonly<Record<Method, string>>;
  addTotp: string;
  addPasskey: string;
  scanQr: string;
  qrAlt: string;
  secretLabel: string;
  confirmCode: string;
  confirm: string;
  cancel: string;
  passkeyName: string;
  createPasskey: string;
  added: (label: string) => string;
  failed: string;
  passkeyCancelled: string;
  network: string;
  expired: string;
}
