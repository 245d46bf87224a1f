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
  /** The digits typed so far (drawn in the boxes). */
  code: string;
  /** Called with the digits on every change of the field. */
  input: (digits: string) => void;
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
function onPaste(e: ClipboardEvent, s: OtpViewState): void {
  const input = e.currentTarget as HTMLInputElement;
  const code = normalizeCode(e.clipboardData?.getData('text') ?? '');
  if (!code) return;
  e.preventDefault();
  input.value = code;
  s.input(code);
  input.form?.requestSubmit();
}

/**
 * The code form. One real `<input>` (`autocomplete="one-time-code"`, numeric keyboard, paste of
 * the whole code, the platform's SMS suggestion; WebOTP fills it too) is what assistive
 * technology and the keyboard meet; the six boxes under it are drawn from its value and hidden
 * from assistive technology (the segmented look of Stripe's and Clerk's code inputs without six
 * fields). While a code is being sent the field stays editable; while it is checked it is
 * read-only, not disabled: a disabled field cannot take focus, and the dialog's focus would fall
 * to Cancel (issue 19).
 */
export function otpView(s: OtpViewState, m: ChallengeMessages): TemplateResult {
  const sent = s.method !== 'totp';
  const digits = [...s.code.padEnd(Math.max(6, s.code.length + (s.code.length < 8 ? 1 : 0)), ' ')].slice(
    0,
    8,
  );
  const verifying = s.busy === 'verifying';
  return html`<form part="form" @submit=${(e: Event) => submitForm(e, s)}>
    ${
      sent
        ? html`<p part="destination" aria-live="polite">${s.sentTo ? m.codeSentTo(s.sentTo) : s.busy === 'sending' ? m.sending : ''}</p>`
        : nothing
    }
    <label part="label" for="code">${sent ? m.codeLabel : m.totpLabel}</label>
    <div class="otp">
      <input
        part="input"
        id="code"
        name="code"
        inputmode="numeric"
        autocomplete="one-time-code"
        pattern="[0-9 \\-]{6,10}"
        maxlength="10"
        required
        autofocus
        spellcheck="false"
        aria-describedby="error"
        ?readonly=${verifying}
        @paste=${(e: ClipboardEvent) => onPaste(e, s)}
        @input=${(e: Event) => s.input((e.currentTarget as HTMLInputElement).value.replace(/\D/g, ''))}
      />
      <div class="slots" aria-hidden="true">
        ${digits.map((d, i) => html`<span class=${i === s.code.length ? 'slot next' : 'slot'}>${d}</span>`)}
      </div>
    </div>
    ${
      s.offerRemember
        ? html`<label part="remember" class="check"><input type="checkbox" name="remember" />${m.rememberDevice}</label>`
        : nothing
    }
    <button part="submit" type="submit" ?disabled=${verifying} aria-busy=${verifying ? 'true' : 'false'}>
      ${verifying ? m.verifying : m.verify}
    </button>
    ${
      sent
        ? html`<button part="resend" class="link" type="button" ?disabled=${!!s.busy || s.resendIn > 0} @click=${s.resend}>
            ${s.resendIn > 0 ? m.resendIn(s.resendIn) : m.resend}
          </button>`
        : nothing
    }
  </form>`;
}
