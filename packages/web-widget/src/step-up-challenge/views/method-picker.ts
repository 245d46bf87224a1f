import type { ChallengeMethodView, Method } from '@stepgate/protocol';
import { html, type TemplateResult } from 'lit';
import type { ChallengeMessages } from '../../i18n/messages.js';

/**
 * Why a method cannot be used at `now` (the view's `lock`, issue 19), as text, or `undefined`
 * when it can: a back-off that has ended no longer counts.
 */
export function lockText(
  mv: ChallengeMethodView,
  now: number,
  m: ChallengeMessages,
  lang: string,
): string | undefined {
  const lock = mv.lock;
  if (!lock) return undefined;
  if (lock.state === 'locked') return m.methodLocked;
  const until = Date.parse(lock.until);
  if (!(until > now)) return undefined;
  return m.methodWaiting(new Intl.DateTimeFormat(lang || undefined, { timeStyle: 'short' }).format(until));
}

/**
 * The allowed methods as a group of buttons; the first usable one gets focus. A locked method
 * stays listed, disabled, with the reason and until when (issue 19); when none is usable the
 * group says so.
 */
export function methodPicker(
  methods: readonly ChallengeMethodView[],
  m: ChallengeMessages,
  pick: (method: Method) => void,
  now: number,
  lang: string,
): TemplateResult {
  const locks = methods.map((mv) => lockText(mv, now, m, lang));
  const first = locks.indexOf(undefined);
  return html`<fieldset part="methods">
    <legend part="methods-title">${m.chooseMethod}</legend>
    <div class="methods">
      ${methods.map(
        ({ method, destination }, i) =>
          html`<button
            type="button"
            part="method-button"
            data-method=${method}
            ?disabled=${locks[i] !== undefined}
            ?autofocus=${i === first}
            @click=${() => pick(method)}
          >
            <span class="name">${m.methods[method]}</span>${destination ? html`<span class="muted">${destination}</span>` : ''}${
              locks[i] ? html`<span part="method-lock">${locks[i]}</span>` : ''
            }
          </button>`,
      )}
    </div>
    ${first < 0 ? html`<p part="all-locked" role="status">${m.allLocked}</p>` : ''}
  </fieldset>`;
}
