import type { ChallengeMessages, EnrollMessages } from './messages.js';

const methods = {
  totp: 'Authenticator app',
  email_otp: 'Email code',
  sms_otp: 'Text message code',
  webauthn: 'Security key or passkey',
  biometric: 'Fingerprint or face',
} as const;

/** English strings of `<step-up-challenge>` (the default). */
export const en: ChallengeMessages = {
  title: 'Confirm it’s you',
  intro: 'This action needs one more check.',
  loading: 'Loading…',
  confirming: 'You are confirming',
  action: 'Action',
  fields: { amount: 'Amount', currency: 'Currency', payee: 'Payee', role: 'Role', user: 'User' },
  chooseMethod: 'Choose how to confirm',
  methods,
  totpLabel: 'Code from your authenticator app',
  codeLabel: 'Code',
  codeSentTo: (d) => `We sent a code to ${d}.`,
  send: 'Send code',
  resend: 'Send a new code',
  resendIn: (s) => `New code in ${s} s`,
  verify: 'Confirm',
  cancel: 'Cancel',
  close: 'Close',
  tryAgain: 'Try again',
  useAnother: 'Use another method',
  rememberDevice: 'Remember this device',
  webauthnPrompt: 'Use your security key or passkey.',
  biometricPrompt: 'Use your fingerprint, face or screen lock.',
  webauthnCancelled: 'The security check was cancelled or timed out.',
  webauthnUnavailable: 'This device cannot do that check.',
  failed: (n) =>
    n > 0 ? `That did not work. ${n} attempt${n === 1 ? '' : 's'} left.` : 'That did not work.',
  expiresIn: (t) => `Expires in ${t}`,
  expired: 'This request expired. Please start again.',
  locked: 'Too many attempts. Please start again.',
  network: 'The service could not be reached. Try again.',
  verified: 'Confirmed.',
};

/** English strings of `<step-up-enroll>` (the default). */
export const enEnroll: EnrollMessages = {
  title: 'Sign-in methods',
  loading: 'Loading…',
  greeting: (n) => `Signed in as ${n}`,
  factors: 'Your methods',
  noFactors: 'No methods yet.',
  methods,
  addTotp: 'Add an authenticator app',
  addPasskey: 'Add a passkey',
  scanQr: 'Scan this code with your authenticator app, or enter the key by hand.',
  qrAlt: 'QR code for your authenticator app',
  secretLabel: 'Key',
  confirmCode: 'Code from the app',
  confirm: 'Confirm',
  cancel: 'Cancel',
  passkeyName: 'Passkey name',
  createPasskey: 'Create passkey',
  added: (l) => `${l} added.`,
  failed: 'That did not work. Try again.',
  passkeyCancelled: 'The passkey was not created.',
  network: 'The service could not be reached. Try again.',
  expired: 'This link expired. Please start again.',
};
