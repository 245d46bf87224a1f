import type { Method } from '@stepgate/protocol';
import { html, nothing, type TemplateResult } from 'lit';
import type { ChallengeMessages } from '../../i18n/messages.js';

/** What the code form needs from the element. */
export interface OtpViewState {
  method: Method;
  /** A code is being sent (the field stays editable) or checked (read-only). */
  busy: false | 'sending' | 'verifying';
  /** Masked destination of the sent code (`email_otp`, `sms_otp`). */
  sentTo: string | undefined;
  /** Seconds until a resend is allowed; 0 when allowed now. */
  resendIn: number;
  /** Show the "remember this device" box. */
  offerRemember: boolean;
  submit: (code: string, remember: boolean) => void;
  resend: () => void;
}

/** Digits of a pasted or typed code, or `undefined` when it is not 6 to 8 digits. */
export function normalizeCode(text: string): string | undefined {
  const digits = text.replace(/[\s-]/g, '');
  return /^\d{6,8}$/.test(digits) ? digits : undefined;
}

function submitForm(e: Event, s: OtpViewState): void {
  e.preventDefault();
  if (s.busy === 'verifying') return;
  const form = e.currentTarget as HTMLFormElement;
  const code = normalizeCode((form.elements.namedItem('code') as HTMLInputElement).value);
  const remember = (form.elements.namedItem('remember') as HTMLInputElement | null)?.checked ?? false;
  if (code) s.submit(code, remember);
}

/** Pasting a whole code fills the field and submits it. */
function onPaste(e: ClipboardEvent): void {
  const input = e.currentTarget as HTMLInputElement;
  const code = normalizeCode(e.clipboardData?.getData('text') ?? '');
  if (!code) return;
  e.preventDefault();
  input.value = code;
  input.form?.requestSubmit();
}

/**
 * While a code is being sent or checked the field is read-only, not disabled: a disabled field
 * cannot take focus, and the dialog's focus would fall to Cancel (issue 19).
 *
 * One numeric field for a TOTP, email or SMS code (`autocomplete="one-time-code"` lets the
 * platform offer a received SMS code), plus send/resend for sent codes.
 */
export function otpView(s: OtpViewState, m: ChallengeMessages): TemplateResult {
  const sent = s.method !== 'totp';
  return html`<form part="form" @submit=${(e: Event) => submitForm(e, s)}>
    ${sent && s.sentTo ? html`<p part="destination">${m.codeSentTo(s.sentTo)}</p>` : nothing}
    <label part="label"
      >${sent ? m.codeLabel : m.totpLabel}
      <input
        part="input"
        name="code"
        inputmode="numeric"
        autocomplete="one-time-code"
        pattern="[0-9 \\-]{6,10}"
        maxlength="10"
        required
        autofocus
        aria-describedby="error"
        ?readonly=${s.busy === 'verifying'}
        @paste=${onPaste}
      />
    </label>
    ${
      s.offerRemember
        ? html`<label part="remember" class="row"><input type="checkbox" name="remember" />${m.rememberDevice}</label>`
        : nothing
    }
    <div class="row">
      <button part="submit" type="submit" ?disabled=${s.busy === 'verifying'}>${m.verify}</button>
      ${
        sent
          ? html`<button part="resend" type="button" ?disabled=${s.busy || s.resendIn > 0} @click=${s.resend}>
            ${s.resendIn > 0 ? m.resendIn(s.resendIn) : m.resend}
          </button>`
          : nothing
      }
    </div>
  </form>`;
}
