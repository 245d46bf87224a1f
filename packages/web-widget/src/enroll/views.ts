/** Render helpers of `<step-up-enroll>`: the factor list, the TOTP setup and the passkey form. */
import type { FactorView, TotpEnrollmentAnswer } from '@stepgate/protocol';
import { html, type TemplateResult } from 'lit';
import type { EnrollMessages } from '../i18n/messages.js';
import { groupSecret, qrDataUrl } from './qr-code.js';

function submitted(e: Event, then: (form: HTMLFormElement) => void): void {
  e.preventDefault();
  then(e.currentTarget as HTMLFormElement);
}

/** The user's existing factors. */
export function factorList(factors: readonly FactorView[], m: EnrollMessages): TemplateResult {
  return html`<h3 id="factors-title">${m.factors}</h3>
    ${
      factors.length
        ? html`<ul part="factors" aria-labelledby="factors-title">
          ${factors.map(
            (f) =>
              html`<li part="factor" data-method=${f.method}>
                <span>${m.methods[f.method]}</span><span class="muted">${f.label ?? ''}</span>
              </li>`,
          )}
        </ul>`
        : html`<p part="factors" class="muted">${m.noFactors}</p>`
    }`;
}

/**
 * Draws the field's digits in the six boxes under it (the same segmented field as the
 * challenge's; here without element state: the boxes are decoration, the input is the field).
 */
function drawSlots(e: Event): void {
  const input = e.currentTarget as HTMLInputElement;
  const digits = input.value.replace(/\D/g, '').slice(0, 6);
  input.nextElementSibling?.querySelectorAll('span').forEach((span, i) => {
    span.textContent = digits[i] ?? ' ';
    span.className = i === digits.length ? 'slot next' : 'slot';
  });
}

/** QR code of the `otpauth://` URI, the secret for manual entry, then the confirming code. */
export function totpSetup(
  totp: TotpEnrollmentAnswer,
  busy: boolean,
  m: EnrollMessages,
  confirm: (form: HTMLFormElement) => void,
  cancel: () => void,
): TemplateResult {
  return html`<div part="totp">
    <p>${m.scanQr}</p>
    <img part="qr" alt=${m.qrAlt} src=${qrDataUrl(totp.otpauthUri)} />
    <p part="secret">${m.secretLabel}: <code>${groupSecret(totp.secret)}</code></p>
    <form part="form" @submit=${(e: Event) => submitted(e, confirm)}>
      <label part="label" for="code">${m.confirmCode}</label>
      <div class="otp">
        <input
          part="input"
          id="code"
          name="code"
          inputmode="numeric"
          autocomplete="one-time-code"
          maxlength="10"
          required
          autofocus
          spellcheck="false"
          aria-describedby="error"
          @input=${drawSlots}
        />
        <div class="slots" aria-hidden="true">${[0, 1, 2, 3, 4, 5].map((i) => html`<span class=${i ? 'slot' : 'slot next'}> </span>`)}</div>
      </div>
      <div class="row">
        <button part="submit" type="submit" ?disabled=${busy}>${m.confirm}</button>
        <button part="cancel" type="button" @click=${cancel}>${m.cancel}</button>
      </div>
    </form>
  </div>`;
}

/** A name for the passkey, then the browser's registration prompt. */
export function passkeyForm(
  busy: boolean,
  m: EnrollMessages,
  create: (form: HTMLFormElement) => void,
  cancel: () => void,
): TemplateResult {
  return html`<form part="form" @submit=${(e: Event) => submitted(e, create)}>
    <label part="label"
      >${m.passkeyName}
      <input part="input" name="label" maxlength="64" autocomplete="off" autofocus aria-describedby="error" />
    </label>
    <div class="row">
      <button part="submit" type="submit" ?disabled=${busy}>${m.createPasskey}</button>
      <button part="cancel" type="button" @click=${cancel}>${m.cancel}</button>
    </div>
  </form>`;
}
