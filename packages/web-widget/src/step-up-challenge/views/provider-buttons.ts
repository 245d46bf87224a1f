import type { ProviderStepUp } from '@stepgate/protocol';
import { html, nothing, type TemplateResult } from 'lit';
import type { ChallengeMessages } from '../../i18n/messages.js';

/**
 * "Continue with <provider>": the identity providers that may perform this step-up instead of
 * Stepgate's own methods (docs/idp.md), one button each. A self-contained part of the method list.
 */
export function providerButtons(
  providers: readonly ProviderStepUp[] | undefined,
  m: ChallengeMessages,
  pick: (provider: ProviderStepUp) => void,
): TemplateResult | typeof nothing {
  if (!providers || providers.length === 0) return nothing;
  return html`<div part="providers" class="row">
    ${providers.map(
      (p) =>
        html`<button type="button" part="provider-button" data-performer=${p.performer} @click=${() => pick(p)}>
          ${m.continueWith(p.name)}
        </button>`,
    )}
  </div>`;
}
