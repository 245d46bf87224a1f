import { type PublicKeyCredentialCreationOptionsJSON, startRegistration } from '@simplewebauthn/browser';
import type { EnrollmentView, FactorView, TotpEnrollmentAnswer, WebAuthnJson } from '@stepgate/protocol';
import { html, LitElement, nothing, type TemplateResult } from 'lit';
import {
  type ClientOptions,
  confirmTotpEnrollment,
  enrollmentUrlFor,
  getEnrollment,
  originList,
  startTotpEnrollment,
  verifyWebAuthnRegistration,
  webAuthnRegistrationOptions,
} from '../api-client.js';
import { WidgetError } from '../errors.js';
import { StepUpErrorEvent, StepUpFactorAddedEvent } from '../events.js';
import { enEnroll } from '../i18n/en.js';
import type { EnrollMessages } from '../i18n/messages.js';
import { registry } from '../i18n/registry.js';
import { resolveMessages } from '../i18n/resolve.js';
import { normalizeCode } from '../step-up-challenge/views/otp-view.js';
import { otpStyles } from '../styles/otp.js';
import { theme } from '../styles/theme.js';
import { styles } from './step-up-enroll.styles.js';
import { factorList, passkeyForm, totpSetup } from './views.js';

/** `done`: a factor was added; the service spends the ticket on it, so nothing more can be added. */
type Phase = 'idle' | 'loading' | 'ready' | 'totp' | 'passkey' | 'done' | 'fatal';

/**
 * Adds sign-in factors with an enrollment ticket from `POST /v1/enrollments`: shows the user's
 * existing factors, registers an authenticator app (QR code of the `otpauth://` URI and the
 * secret for manual entry, then a confirming code) or a passkey (WebAuthn registration).
 *
 * @example
 * ```html
 * <step-up-enroll service-url="/stepgate" ticket="enr_…"></step-up-enroll>
 * <script type="module">
 *   import '@stepgate/web-widget/enroll';
 *   document.querySelector('step-up-enroll').addEventListener('step-up-factor-added', (e) => console.log(e.factor));
 * </script>
 * ```
 *
 * @tag step-up-enroll
 * @attr ticket - The enrollment ticket `enr_…` (with `service-url`).
 * @attr service-url - Base URL of the service or the app's proxy.
 * @attr enrollment-url - The absolute enrollment URL (instead of the two above).
 * @attr allowed-origins - Origins besides the page's own that the enrollment URL may be on, separated by spaces; any other origin is refused with `origin_not_allowed` before a request is made.
 * @attr {'light' | 'dark'} theme - Force a colour scheme; default follows `prefers-color-scheme`.
 * @attr lang - Language of the messages (`en`, `fr`); default: the nearest `lang` in the page.
 * @prop {Partial<EnrollMessages> | undefined} messages - Replaces single strings of the message table.
 * @fires {StepUpFactorAddedEvent} step-up-factor-added - A factor was added (`event.factor`).
 * @fires {StepUpErrorEvent} step-up-error - A step failed or the ticket expired.
 * @slot header - Content after the title.
 * @slot footer - Content at the bottom.
 * @csspart base - The panel.
 * @csspart header - The header row.
 * @csspart title - The heading.
 * @csspart greeting - Who is enrolling.
 * @csspart factors - The list of factors.
 * @csspart factor - One factor.
 * @csspart body - The action area.
 * @csspart add-totp - "Add an authenticator app".
 * @csspart add-passkey - "Add a passkey".
 * @csspart totp - The authenticator app setup.
 * @csspart qr - The QR code image.
 * @csspart secret - The secret for manual entry.
 * @csspart form - A form.
 * @csspart label - A field label.
 * @csspart input - A field.
 * @csspart submit - The primary button.
 * @csspart cancel - The cancel button.
 * @csspart error - The error line (`aria-live`).
 * @csspart notice - The success line (`aria-live`).
 * @csspart footer - The footer.
 * @cssprop [--stepgate-bg=#ffffff | #17181c] - Panel background.
 * @cssprop [--stepgate-fg=#1b1c20 | #f1f2f4] - Text colour.
 * @cssprop [--stepgate-muted=#52555e | #b9bcc4] - Secondary text.
 * @cssprop [--stepgate-accent=#1d4ed8 | #8fb4ff] - Primary buttons.
 * @cssprop [--stepgate-accent-fg=#ffffff | #0b1020] - Text on the accent.
 * @cssprop [--stepgate-danger=#b42318 | #ff9b8f] - Errors.
 * @cssprop [--stepgate-border=#c4c7cf | #4a4d57] - Borders.
 * @cssprop [--stepgate-surface=#f4f5f7 | #23252b] - List items, buttons.
 * @cssprop [--stepgate-radius=14px] - Corner radius.
 * @cssprop [--stepgate-gap=14px] - Spacing.
 * @cssprop [--stepgate-font=system-ui, sans-serif] - Font family.
 * @cssprop [--stepgate-width=26rem] - Width.
 */
export class StepUpEnroll extends LitElement {
  static override styles = [theme, otpStyles, styles];
  static override properties = {
    ticket: {},
    serviceUrl: { attribute: 'service-url' },
    enrollmentUrl: { attribute: 'enrollment-url' },
    allowedOrigins: { attribute: 'allowed-origins', converter: originList },
    theme: { reflect: true },
    messages: { attribute: false },
    view: { state: true },
    phase: { state: true },
    totp: { state: true },
    busy: { state: true },
    error: { state: true },
    notice: { state: true },
  };

  /** `lang` is a global attribute, not a property: observe it to re-render in the new language. */
  static override get observedAttributes(): string[] {
    // biome-ignore lint/complexity/noThisInStatic: Lit computes the list for the class it is called on.
    return [...super.observedAttributes, 'lang'];
  }

  declare ticket: string | undefined;
  declare serviceUrl: string | undefined;
  declare enrollmentUrl: string | undefined;
  declare allowedOrigins: string[] | undefined;
  declare theme: 'light' | 'dark' | undefined;
  declare messages: Partial<EnrollMessages> | undefined;
  declare private view: EnrollmentView | undefined;
  declare private phase: Phase;
  declare private totp: TotpEnrollmentAnswer | undefined;
  declare private busy: boolean;
  declare private error: WidgetError | undefined;
  declare private notice: string;
  #loaded: string | undefined;
  #ctl = new AbortController();

  constructor() {
    super();
    this.phase = 'idle';
    this.busy = false;
    this.notice = '';
  }

  /** The enrollment URL from `enrollment-url`, or `service-url` + `ticket`. */
  get resolvedUrl(): string | undefined {
    if (this.enrollmentUrl) return this.enrollmentUrl;
    return this.serviceUrl && this.ticket ? enrollmentUrlFor(this.serviceUrl, this.ticket) : undefined;
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    super.attributeChangedCallback(name, old, value);
    if (name === 'lang') this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#ctl.abort();
    this.#loaded = undefined;
  }

  protected override willUpdate(): void {
    if (this.isConnected && this.resolvedUrl !== this.#loaded) {
      this.#loaded = this.resolvedUrl;
      this.phase = this.#loaded ? 'loading' : 'idle';
      void this.#run(() => this.#refresh());
    }
  }

  protected override updated(changed: Map<string, unknown>): void {
    if (changed.has('phase') && changed.get('phase') !== undefined) {
      this.renderRoot.querySelector<HTMLElement>('[autofocus]')?.focus();
    }
  }

  /** Options of every call: the signal, and where the enrollment URL may point (issue 15). */
  #client(): ClientOptions {
    return { signal: this.#ctl.signal, allowedOrigins: this.allowedOrigins };
  }

  async #refresh(): Promise<void> {
    if (!this.#loaded) return;
    this.view = await getEnrollment(this.#loaded, this.#client());
    this.phase = 'ready';
  }

  /** Runs one step with the busy flag set; errors become the error line and a `step-up-error`. */
  async #run(step: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = undefined;
    try {
      await step();
    } catch (e) {
      if (this.#ctl.signal.aborted) return;
      const error =
        e instanceof WidgetError ? e : new WidgetError('invalid_response', String(e), { cause: e });
      this.error = error;
      if (this.phase === 'loading' || error.status === 404 || error.status === 410) this.phase = 'fatal';
      this.dispatchEvent(new StepUpErrorEvent(error));
    } finally {
      this.busy = false;
    }
  }

  /**
   * The service spends the ticket on its first factor: reading the view again would answer 404
   * and show "This link expired" beside a stale "No methods yet." (issue 19). The new factor
   * joins the list here instead, and the element ends in `done`.
   */
  #added(factor: FactorView, m: EnrollMessages): void {
    this.notice = m.added(factor.label ?? m.methods[factor.method]);
    this.totp = undefined;
    if (this.view) this.view = { ...this.view, factors: [...this.view.factors, factor] };
    this.phase = 'done';
    this.dispatchEvent(new StepUpFactorAddedEvent(factor));
  }

  #startTotp(): void {
    const url = this.#loaded;
    if (!url) return;
    this.notice = '';
    void this.#run(async () => {
      this.totp = await startTotpEnrollment(url, this.#client());
      this.phase = 'totp';
    });
  }

  #confirmTotp(form: HTMLFormElement, m: EnrollMessages): void {
    const url = this.#loaded;
    const input = form.elements.namedItem('code') as HTMLInputElement;
    const code = normalizeCode(input.value);
    if (!url || !code) return;
    void this.#run(async () => {
      try {
        const { factor } = await confirmTotpEnrollment(url, { code }, this.#client());
        this.#added(factor, m);
      } catch (e) {
        input.value = '';
        input.dispatchEvent(new Event('input')); // clear the boxes drawn from it
        input.focus();
        throw e;
      }
    });
  }

  #createPasskey(form: HTMLFormElement, m: EnrollMessages): void {
    const url = this.#loaded;
    const label = (form.elements.namedItem('label') as HTMLInputElement).value.trim();
    if (!url) return;
    void this.#run(async () => {
      const { publicKey } = await webAuthnRegistrationOptions(url, this.#client());
      let response: WebAuthnJson;
      try {
        const optionsJSON = publicKey as unknown as PublicKeyCredentialCreationOptionsJSON;
        response = (await startRegistration({ optionsJSON })) as unknown as WebAuthnJson;
      } catch (cause) {
        throw new WidgetError('webauthn_cancelled', (cause as Error).message, { cause });
      }
      const body = label ? { response, label } : { response };
      const { factor } = await verifyWebAuthnRegistration(url, body, this.#client());
      this.#added(factor, m);
    });
  }

  #errorText(m: EnrollMessages): string {
    const code = this.error?.code;
    if (!code) return '';
    if (code === 'network_error') return m.network;
    if (code === 'webauthn_cancelled') return m.passkeyCancelled;
    return this.phase === 'fatal' ? m.expired : m.failed;
  }

  #body(m: EnrollMessages): TemplateResult | typeof nothing {
    const { view, phase, busy } = this;
    const back = () => {
      this.phase = 'ready';
      this.totp = undefined;
    };
    if (phase === 'loading') return html`<p class="muted">${m.loading}</p>`;
    if (phase === 'totp' && this.totp) {
      return totpSetup(this.totp, busy, m, (f) => this.#confirmTotp(f, m), back);
    }
    if (phase === 'passkey') return passkeyForm(busy, m, (f) => this.#createPasskey(f, m), back);
    if (phase !== 'ready' || !view) return nothing;
    const passkeys = view.methods.includes('webauthn') || view.methods.includes('biometric');
    return html`<div class="row">
      ${
        view.methods.includes('totp')
          ? html`<button part="add-totp" type="button" ?disabled=${busy} @click=${() => this.#startTotp()}>${m.addTotp}</button>`
          : nothing
      }
      ${
        passkeys
          ? html`<button part="add-passkey" type="button" ?disabled=${busy} @click=${() => {
              this.notice = '';
              this.phase = 'passkey';
            }}>${m.addPasskey}</button>`
          : nothing
      }
    </div>`;
  }

  override render(): TemplateResult {
    const m = resolveMessages(this, registry.enroll, enEnroll, this.messages);
    const { view } = this;
    return html`<section part="base" aria-labelledby="title">
      <header part="header"><h2 id="title" part="title">${m.title}</h2><slot name="header"></slot></header>
      ${view?.displayName ? html`<p part="greeting" class="muted">${m.greeting(view.displayName)}</p>` : nothing}
      ${view ? factorList(view.factors, m) : nothing}
      <div part="body">${this.#body(m)}</div>
      <p id="error" part="error" role="alert">${this.#errorText(m)}</p>
      <p part="notice" role="status">${this.notice}</p>
      <footer part="footer"><slot name="footer"></slot></footer>
    </section>`;
  }
}
