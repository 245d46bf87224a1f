/**
 * WebOTP (https://wicg.github.io/web-otp/): where the browser supports it, an SMS that ends with
 * `@host #code` is offered to the page after the user agrees. Chromium only; elsewhere the
 * field's `autocomplete="one-time-code"` lets the keyboard offer the code instead.
 */

interface OtpCredential extends Credential {
  code: string;
}

/** Tells whether this browser has the WebOTP API. */
export function supportsWebOtp(): boolean {
  return typeof window !== 'undefined' && 'OTPCredential' in window;
}

/**
 * Waits for an SMS code through WebOTP. Resolves with the code, or `undefined` when WebOTP is
 * missing, declined, or `signal` aborts (so callers never need to catch).
 */
export async function receiveSmsCode(signal: AbortSignal): Promise<string | undefined> {
  if (!supportsWebOtp()) return undefined;
  try {
    const options = { otp: { transport: ['sms'] }, signal } as CredentialRequestOptions;
    const credential = (await navigator.credentials.get(options)) as OtpCredential | null;
    return credential?.code;
  } catch {
    return undefined;
  }
}
