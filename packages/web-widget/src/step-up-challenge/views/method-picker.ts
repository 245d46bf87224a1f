import type { ChallengeMethodView, Method } from '@stepgate/protocol';
import { html, type TemplateResult } from 'lit';
import type { ChallengeMessages } from '../../i18n/messages.js';

/** The allowed methods as a group of buttons; the first one gets focus. */
export function methodPicker(
  methods: readonly ChallengeMethodView[],
  m: ChallengeMessages,
  pick: (method: Method) => void,
): TemplateResult {
  return html`<fieldset part="methods">
    <legend part="methods-title">${m.chooseMethod}</legend>
    <div class="row">
      ${methods.map(
        ({ method, destination }, i) =>
          html`<button
            type="button"
            part="method-button"
            data-method=${method}
            ?autofocus=${i === 0}
            @click=${() => pick(method)}
          >
            ${m.methods[method]}${destination ? html` <span class="muted">${destination}</span>` : ''}
          </button>`,
      )}
    </div>
  </fieldset>`;
}
