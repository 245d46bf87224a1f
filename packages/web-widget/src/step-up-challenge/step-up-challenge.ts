import type {
  ChallengeView,
  CodeSentAnswer,
  Method,
  ProviderStepUp,
  StepUpInfo,
  VerifyAnswer,
  VerifyRequest,
} from '@stepgate/protocol';
import {
  getIdpStepUpHandler,
  rememberDeviceToken,
  StepUpCancelledError,
  StepUpError,
} from '@stepgate/sdk-core';
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import {
  type ClientOptions,
  challengeUrlFor,
  getChallenge,
  originList,
  startMethod,
  verifyMethod,
} from '../api-client.js';
import { WidgetError } from '../errors.js';
import {
  StepUpCancelEvent,
  StepUpCompleteEvent,
  StepUpErrorEvent,
  StepUpMethodChangeEvent,
} from '../events.js';
import { en } from '../i18n/en.js';
import type { ChallengeMessages } from '../i18n/messages.js';
import { registry } from '../i18n/registry.js';
import { langOf, resolveMessages } from '../i18n/resolve.js';
import { otpStyles } from '../styles/otp.js';
import { theme } from '../styles/theme.js';
import { errorText } from './error-text.js';
import { addHost, removeHost } from './handler-registry.js';
import { styles } from './step-up-challenge.styles.js';
import { lockText, methodPicker } from './views/method-picker.js';
import { otpView } from './views/otp-view.js';
import { providerButtons } from './views/provider-buttons.js';
import { expiryView, transactionView } from './views/transaction-view.js';
import { webauthnView } from './views/webauthn-view.js';
import { receiveSmsCode } from './web-otp.js';
import { type WebAuthnMethod, webauthnProof } from './webauthn-proof.js';

type Phase = 'idle' | 'loading' | 'ready' | 'done' | 'fatal';
/** What the current method is waiting for: a code being sent, or a proof being checked. */
type Busy = false | 'sending' | 'verifying';
type Pending = { resolve: (answer: VerifyAnswer) => void; reject: (error: unknown) => void };

const isCode = (m: Method) => m === 'totp' || m === 'email_otp' || m === 'sms_otp';

/**
 * Runs one Stepgate step-up challenge: loads it, shows the server's copy of the transaction
 * (S18), lets the user pick an allowed method and verifies it. A modal dialog by default;
 * the first one connected to the page becomes sdk-core's step-up handler.
 *
 * @example
 * ```html
 * <step-up-challenge></step-up-challenge>          <!-- sdk-core's flow opens it on a step-up answer -->
 * <step-up-challenge inline service-url="/stepgate" challenge-id="chl_…"></step-up-challenge>
 * ```
 *
 * @tag step-up-challenge
 * @attr service-url - Base URL of the service or the app's proxy (with `challenge-id`).
 * @attr challenge-id - The challenge id `chl_…` (with `service-url`).
 * @attr challenge-url - The absolute challenge URL (instead of the two above).
 * @attr allowed-origins - Origins besides the page's own that the challenge URL may be on, separated by spaces (`https://auth.example.com`); any other origin is refused with `origin_not_allowed` before a request is made.
 * @attr {boolean} open - The modal dialog is open.
 * @attr {boolean} inline - Render in the page flow instead of a modal dialog.
 * @attr {boolean} remember-device - Offer a "remember this device" box with code methods.
 * @attr {'light' | 'dark'} theme - Force a colour scheme; default follows `prefers-color-scheme`.
 * @attr lang - Language of the messages (`en`, `fr`); default: the nearest `lang` in the page.
 * @prop {StepUpInfo | undefined} challenge - The `stepUp` member of a step-up answer.
 * @prop {Partial<ChallengeMessages> | undefined} messages - Replaces single strings of the message table.
 * @fires {StepUpCompleteEvent} step-up-complete - Verified; `event.answer.token` is the upgraded token.
 * @fires {StepUpCancelEvent} step-up-cancel - The user cancelled (cancelable).
 * @fires {StepUpErrorEvent} step-up-error - A check failed, the challenge expired or locked, or the service is unreachable.
 * @fires {StepUpMethodChangeEvent} step-up-method-change - The user picked a method.
 * @slot brand - The app's logo and name above the title: the trust cue users look for (Clerk, Auth0 and Stripe show one).
 * @slot header - Content after the title and intro (a help link).
 * @slot footer - Content before the cancel button.
 * @csspart dialog - The native `<dialog>` (modal mode).
 * @csspart base - The panel.
 * @csspart header - The header row.
 * @csspart title - The heading.
 * @csspart intro - The explanation under the title.
 * @csspart transaction - The transaction summary.
 * @csspart transaction-title - Its heading.
 * @csspart transaction-list - The `<dl>`.
 * @csspart action - The action name.
 * @csspart transaction-value - A value.
 * @csspart amount - The amount being confirmed, large (when the transaction has `amount` and `currency`).
 * @csspart body - The method area.
 * @csspart loading - The loading text.
 * @csspart methods - The method picker.
 * @csspart methods-title - Its legend.
 * @csspart method-button - One method.
 * @csspart method-lock - Why a method is disabled: locked, or until when it waits (issue 19).
 * @csspart all-locked - The line shown when no method can be used now.
 * @csspart providers - The "Continue with …" buttons of identity providers (docs/idp.md).
 * @csspart provider-button - One identity provider.
 * @csspart form - The code form.
 * @csspart label - The code label.
 * @csspart input - The code field (one real field; the boxes drawn under it are hidden from assistive technology).
 * @csspart destination - Where the code was sent.
 * @csspart resend - The resend button.
 * @csspart remember - The remember-device box.
 * @csspart webauthn - The WebAuthn prompt.
 * @csspart submit - The primary button.
 * @csspart switch - "Use another method".
 * @csspart retry - "Try again".
 * @csspart error - The error line (an `aria-live` region).
 * @csspart expiry - The expiry countdown.
 * @csspart success - The confirmation.
 * @csspart footer - The footer row.
 * @csspart cancel - The cancel or close button.
 * @cssprop [--stepgate-bg=#ffffff | #17181c] - Panel background.
 * @cssprop [--stepgate-fg=#1b1c20 | #f1f2f4] - Text colour.
 * @cssprop [--stepgate-muted=#52555e | #b9bcc4] - Secondary text.
 * @cssprop [--stepgate-accent=#1d4ed8 | #8fb4ff] - Primary buttons, links, focus ring.
 * @cssprop [--stepgate-accent-fg=#ffffff | #0b1020] - Text on the accent colour.
 * @cssprop [--stepgate-danger=#b42318 | #ff9b8f] - Errors.
 * @cssprop [--stepgate-success=#067647 | #7ee2a8] - The confirmation.
 * @cssprop [--stepgate-shadow=0 24px 64px rgb(16 24 40 / 0.22)] - The modal panel's shadow.
 * @cssprop [--stepgate-border=#c4c7cf | #4a4d57] - Borders.
 * @cssprop [--stepgate-surface=#f4f5f7 | #23252b] - Buttons and the transaction box.
 * @cssprop [--stepgate-radius=14px] - Corner radius.
 * @cssprop [--stepgate-gap=14px] - Spacing.
 * @cssprop [--stepgate-font=system-ui, sans-serif] - Font family.
 * @cssprop [--stepgate-font-size=15px] - Font size.
 * @cssprop [--stepgate-width=26rem] - Width.
 * @cssprop [--stepgate-backdrop=rgb(10 12 20 / 0.55)] - Modal backdrop.
 * @cssprop [--stepgate-focus=var(--stepgate-accent)] - Focus ring.
 */
export class StepUpChallenge extends LitElement {
  static override styles = [theme, otpStyles, styles];
  static override properties = {
    challenge: { attribute: false },
    serviceUrl: { attribute: 'service-url' },
    challengeId: { attribute: 'challenge-id' },
    challengeUrl: { attribute: 'challenge-url' },
    allowedOrigins: { attribute: 'allowed-origins', converter: originList },
    open: { type: Boolean, reflect: true },
    inline: { type: Boolean, reflect: true },
    rememberDevice: { type: Boolean, attribute: 'remember-device' },
    theme: { reflect: true },
    messages: { attribute: false },
    view: { state: true },
    phase: { state: true },
    method: { state: true },
    busy: { state: true },
    error: { state: true },
    sentTo: { state: true },
    resendAt: { state: true },
    now: { state: true },
    code: { state: true },
  };

  /** `lang` is a global attribute, not a property: observe it to re-render in the new language. */
  static override get observedAttributes(): string[] {
    // biome-ignore lint/complexity/noThisInStatic: Lit computes the list for the class it is called on.
    return [...super.observedAttributes, 'lang'];
  }

  declare challenge: StepUpInfo | undefined;
  declare serviceUrl: string | undefined;
  declare challengeId: string | undefined;
  declare challengeUrl: string | undefined;
  declare allowedOrigins: string[] | undefined;
  declare open: boolean;
  declare inline: boolean;
  declare rememberDevice: boolean;
  declare theme: 'light' | 'dark' | undefined;
  declare messages: Partial<ChallengeMessages> | undefined;
  declare private view: ChallengeView | undefined;
  declare private phase: Phase;
  declare private method: Method | undefined;
  declare private busy: Busy;
  declare private error: WidgetError | undefined;
  declare private sentTo: string | undefined;
  declare private resendAt: number;
  declare private now: number;
  declare private code: string;

  #pending: Pending | undefined;
  /** The request that got the step-up answer, for an identity provider to replay (docs/idp.md). */
  #request: Request | undefined;
  #loaded: string | undefined;
  #loadCtl: AbortController | undefined;
  #methodCtl = new AbortController();
  #timer: ReturnType<typeof setInterval> | undefined;
  #interacted = false;

  constructor() {
    super();
    this.open = this.inline = this.rememberDevice = this.busy = false;
    this.phase = 'idle';
    this.resendAt = 0;
    this.now = Date.now();
    this.code = '';
  }

  /** The challenge URL from `challenge`, `challenge-url`, or `service-url` + `challenge-id`. */
  get resolvedUrl(): string | undefined {
    if (this.challenge) return this.challenge.challengeUrl;
    if (this.challengeUrl) return this.challengeUrl;
    return this.serviceUrl && this.challengeId
      ? challengeUrlFor(this.serviceUrl, this.challengeId)
      : undefined;
  }

  /**
   * Opens the challenge and resolves with the verify answer (`token`, `acr`, `amr`, …).
   *
   * @throws StepUpCancelledError when the user cancels; StepUpError `failed` when the challenge
   *   expired or locked and the user closed it; the signal's reason when `signal` aborts.
   * @example
   * const { token } = await document.querySelector('step-up-challenge')!.stepUp(body.stepUp);
   */
  stepUp(
    challenge: StepUpInfo,
    options: { signal?: AbortSignal | undefined; request?: Request | undefined } = {},
  ): Promise<VerifyAnswer> {
    const { signal } = options;
    this.#request = options.request;
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.#pending?.reject(new StepUpError('aborted'));
    return new Promise<VerifyAnswer>((resolve, reject) => {
      const onAbort = () => this.#finish(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      this.#pending = {
        resolve: (a) => {
          done();
          resolve(a);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      };
      this.challenge = challenge;
      this.#load();
      this.open = true;
    });
  }

  /** Asks to cancel, as the Cancel button and Escape do: fires `step-up-cancel`, then closes unless prevented. */
  cancel(): void {
    if (this.phase === 'fatal' || this.phase === 'done') {
      const cause = this.error;
      this.#finish(new StepUpError('failed', cause?.message, { cause, challengeId: this.view?.id }));
      return;
    }
    if (!this.dispatchEvent(new StepUpCancelEvent())) return;
    this.#finish(
      new StepUpCancelledError(undefined, { challengeId: this.view?.id ?? this.challenge?.challengeId }),
    );
  }

  override connectedCallback(): void {
    super.connectedCallback();
    addHost(this);
    this.#timer = setInterval(() => this.#tick(), 1000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeHost(this);
    clearInterval(this.#timer);
    this.#loadCtl?.abort();
    this.#methodCtl.abort();
    this.#loaded = undefined;
    this.#pending?.reject(new StepUpCancelledError());
    this.#pending = undefined;
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    super.attributeChangedCallback(name, old, value);
    if (name === 'lang') this.requestUpdate();
  }

  protected override willUpdate(): void {
    if (this.resolvedUrl !== this.#loaded && this.isConnected) this.#load();
  }

  protected override updated(changed: PropertyValues): void {
    const dialog = this.renderRoot.querySelector('dialog');
    if (dialog && this.open && !dialog.open) {
      // showModal() makes the page inert (focus is trapped) and, on close, returns focus to
      // the element that had it (HTML "dialog focusing steps" / previously focused element).
      dialog.showModal();
    } else if (dialog && !this.open && dialog.open) {
      dialog.close();
    }
    if ((changed.has('phase') || changed.has('method')) && (this.inline ? this.#interacted : this.open)) {
      this.renderRoot.querySelector<HTMLElement>('[autofocus]')?.focus();
    }
  }

  #load(): void {
    const url = this.resolvedUrl;
    this.#loaded = url;
    this.#loadCtl?.abort();
    this.#methodCtl.abort();
    Object.assign(this, { view: undefined, method: undefined, error: undefined, busy: false });
    this.phase = url ? 'loading' : 'idle';
    if (!url) return;
    const ctl = new AbortController();
    this.#loadCtl = ctl;
    getChallenge(url, this.#client(ctl.signal)).then(
      (view) => {
        if (ctl.signal.aborted) return;
        this.view = view;
        this.now = Date.now();
        if (view.status !== 'pending' || view.attemptsLeft <= 0) {
          this.#fail(
            new WidgetError(view.status === 'expired' ? 'expired' : 'locked', `Challenge ${view.status}`),
          );
        } else {
          this.phase = 'ready';
          const [only] = view.methods;
          // A lone method is picked for the user, unless it is locked: no code that cannot work.
          if (view.methods.length === 1 && only && !lockText(only, this.now, en, ''))
            this.#select(only.method, false);
          else this.#tick();
        }
      },
      (e: unknown) => {
        if (ctl.signal.aborted) return;
        this.#fail(e instanceof WidgetError && e.status !== 404 ? e : new WidgetError('expired', String(e)));
      },
    );
  }

  /** Options of every call: the signal, and where the challenge URL may point (issue 15). */
  #client(signal: AbortSignal): ClientOptions & { signal: AbortSignal } {
    return { signal, allowedOrigins: this.allowedOrigins };
  }

  #tick(): void {
    this.now = Date.now();
    const expiresAt = Date.parse(this.view?.expiresAt ?? '');
    if (this.phase === 'ready' && this.now >= expiresAt)
      this.#fail(new WidgetError('expired', 'Challenge expired'));
  }

  /** Reports an error; a fatal one (expired, locked, unreachable on load) ends the challenge. */
  #fail(error: WidgetError): void {
    this.error = error;
    if (this.phase !== 'ready' || error.code === 'expired' || error.code === 'locked') {
      this.phase = 'fatal';
      this.#methodCtl.abort();
    }
    this.dispatchEvent(new StepUpErrorEvent(error));
  }

  #select(method: Method, byUser = true): void {
    const mv = this.view?.methods.find((x) => x.method === method);
    if (mv && lockText(mv, Date.now(), en, '')) return;
    if (byUser) this.#interacted = true;
    this.#methodCtl.abort();
    this.#methodCtl = new AbortController();
    Object.assign(this, { method, error: undefined, sentTo: undefined, resendAt: 0, code: '' });
    this.dispatchEvent(new StepUpMethodChangeEvent(method));
    if (method === 'email_otp' || method === 'sms_otp') this.#send();
  }

  /** Runs one step of the current method with the busy flag set; errors go to {@link handle}. */
  async #act(step: (signal: AbortSignal) => Promise<void>, busy: Busy = 'verifying'): Promise<void> {
    const { signal } = this.#methodCtl;
    this.#interacted = true;
    this.busy = busy;
    try {
      await step(signal);
    } catch (e) {
      if (!signal.aborted) this.#handle(e);
    } finally {
      if (this.busy === busy) this.busy = false; // a verify started while a code was sending
    }
  }

  #send(): void {
    const url = this.#loaded;
    const method = this.method;
    if (!url || !method) return;
    void this.#act(async (signal) => {
      const sent = (await startMethod(url, method, this.#client(signal))) as CodeSentAnswer;
      this.sentTo = sent.sentTo;
      this.resendAt = Date.now() + (sent.resendAfter || 0) * 1000;
      this.now = Date.now();
      if (method === 'sms_otp') {
        void receiveSmsCode(signal).then((code) => code && !signal.aborted && this.#submit({ method, code }));
      }
    }, 'sending');
  }

  #submit(body: VerifyRequest): void {
    const url = this.#loaded;
    if (!url) return;
    void this.#act(async (signal) =>
      this.#complete(await verifyMethod(url, body, this.#client(signal)), body.method),
    );
  }

  #runWebAuthn(method: WebAuthnMethod): void {
    const url = this.#loaded;
    const { view } = this;
    if (!url || !view) return;
    void this.#act(async (signal) => {
      const body = await webauthnProof(url, view.id, method, this.#client(signal));
      this.#complete(await verifyMethod(url, body, this.#client(signal)), method);
    });
  }

  #complete(answer: VerifyAnswer, method: Method): void {
    this.#methodCtl.abort(); // stop a pending WebOTP listener: the code was typed by hand
    this.phase = 'done';
    this.error = undefined;
    if (answer.deviceToken) rememberDeviceToken(answer.deviceToken);
    this.dispatchEvent(new StepUpCompleteEvent(answer, method));
    this.#pending?.resolve(answer);
    this.#pending = undefined;
    if (!this.inline) this.open = false;
  }

  #handle(e: unknown): void {
    const error = e instanceof WidgetError ? e : new WidgetError('invalid_response', String(e), { cause: e });
    const { view } = this;
    if (error.code === 'challenge_failed' && view) {
      const attemptsLeft = error.attemptsLeft ?? 0;
      this.view = { ...view, attemptsLeft };
      if (attemptsLeft <= 0) {
        this.#fail(new WidgetError('locked', error.message, { cause: error, attemptsLeft }));
        return;
      }
      const input = this.renderRoot.querySelector<HTMLInputElement>('input[name=code]');
      this.code = '';
      if (input) {
        input.value = '';
        void this.updateComplete.then(() => input.focus());
      }
      this.#refreshLocks();
    } else if (error.code.startsWith('webauthn') || error.code === 'native_failed') {
      this.method = undefined; // offer every allowed method again, this one included to retry
    } else if (error.status === 404 || error.status === 410) {
      this.#fail(new WidgetError('expired', error.message, { cause: error }));
      return;
    }
    this.#fail(error);
  }

  /**
   * Reads the view again after a failed attempt: when that failure locked the current method,
   * the picker comes back with it disabled and the reason (issue 19).
   */
  #refreshLocks(): void {
    const url = this.#loaded;
    const { signal } = this.#methodCtl;
    if (!url) return;
    getChallenge(url, this.#client(signal)).then(
      (view) => {
        if (signal.aborted || !this.view) return;
        this.view = { ...this.view, methods: view.methods };
        const current = view.methods.find((x) => x.method === this.method);
        if (current && lockText(current, Date.now(), en, '')) this.method = undefined;
      },
      () => undefined, // the failure is already shown; the next attempt tells the rest
    );
  }

  /** Closes and settles the pending `stepUp()` promise with `error`. */
  #finish(error: unknown): void {
    this.#methodCtl.abort();
    this.open = false;
    this.#pending?.reject(error);
    this.#pending = undefined;
  }

  /** Providers offered with this challenge, when the page registered an IdP handler and the request is known. */
  #providers(): readonly ProviderStepUp[] | undefined {
    return getIdpStepUpHandler() && this.#request ? this.challenge?.providers : undefined;
  }

  /** Hands the step-up to the provider; a redirect leaves the page, so this dialog just waits. */
  #continueWith(provider: ProviderStepUp): void {
    const handler = getIdpStepUpHandler();
    const request = this.#request;
    if (!handler || !request) return;
    void this.#act(async (signal) => {
      await handler([provider], { request: request.clone(), signal });
      // A redirect never comes back here; a handler that returns has no Stepgate token to give.
      this.#finish(new StepUpError('failed', 'The identity provider step-up ended without a redirect.'));
    });
  }

  #onEscape(e: Event): void {
    e.preventDefault();
    this.cancel();
  }

  #content(m: ChallengeMessages): TemplateResult | typeof nothing {
    const { phase, view, method } = this;
    if (phase === 'loading') return html`<p part="loading" class="muted">${m.loading}</p>`;
    if (phase === 'done')
      return html`<p part="success" role="status"><span class="tick" aria-hidden="true"></span>${m.verified}</p>`;
    if (phase === 'fatal' && this.error?.code === 'network_error') {
      return html`<button part="retry" type="button" autofocus @click=${() => this.#load()}>${m.tryAgain}</button>`;
    }
    if (phase !== 'ready' || !view) return nothing;
    if (!method) {
      return html`${methodPicker(view.methods, m, (x) => this.#select(x), this.now, langOf(this))}${providerButtons(this.#providers(), m, (p) => this.#continueWith(p))}`;
    }
    const resendIn = Math.max(0, Math.ceil((this.resendAt - this.now) / 1000));
    const body = isCode(method)
      ? otpView(
          {
            method,
            busy: this.busy,
            sentTo: this.sentTo,
            resendIn,
            offerRemember: this.rememberDevice,
            code: this.code,
            input: (digits) => (this.code = digits),
            submit: (code, remember) =>
              this.#submit({ method, code, ...(remember ? { rememberDevice: true } : {}) } as VerifyRequest),
            resend: () => this.#send(),
          },
          m,
        )
      : webauthnView(method, this.busy === 'verifying', m, () => this.#runWebAuthn(method));
    const other =
      view.methods.length > 1
        ? html`<button part="switch" class="link" type="button" @click=${() => (this.method = undefined)}>${m.useAnother}</button>`
        : nothing;
    return html`${body}${other}`;
  }

  override render(): TemplateResult {
    const m = resolveMessages(this, registry.challenge, en, this.messages);
    const lang = langOf(this);
    const { view, phase } = this;
    const ended = phase === 'fatal' || phase === 'done';
    const base = html`<section part="base" aria-labelledby="title" data-phase=${phase}>
      <header part="header">
        <slot name="brand"></slot>
        <h2 id="title" part="title">${m.title}</h2>
        <p part="intro" class="muted">${m.intro}</p>
        <slot name="header"></slot>
      </header>
      ${view ? transactionView(view, m, lang) : nothing}
      <div part="body">${this.#content(m)}</div>
      <p id="error" part="error" role="alert">${this.error ? errorText(this.error, m) : ''}</p>
      ${view && phase === 'ready' ? expiryView(Date.parse(view.expiresAt), this.now, m) : nothing}
      <footer part="footer">
        <slot name="footer"></slot>
        <button part="cancel" type="button" ?autofocus=${phase === 'fatal'} @click=${() => this.cancel()}>
          ${ended ? m.close : m.cancel}
        </button>
      </footer>
    </section>`;
    if (this.inline) return base;
    return html`<dialog part="dialog" aria-labelledby="title" @cancel=${this.#onEscape} @close=${() => this.open && this.cancel()}>
      ${base}
    </dialog>`;
  }
}
