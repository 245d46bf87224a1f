/**
 * Languages beyond the built-in English. The registry lives on `globalThis` (under a
 * `Symbol.for` key) so a language loaded as its own `<script>` (dist/standalone/stepgate-fr.min.js)
 * reaches elements from another bundle. The ESM entry `@stepgate/web-widget` registers French.
 */
import type { ChallengeMessages, EnrollMessages } from './messages.js';

/** Message tables by language code (`fr`, `de`, …). */
export interface MessageRegistry {
  challenge: Record<string, ChallengeMessages>;
  enroll: Record<string, EnrollMessages>;
}

const KEY = Symbol.for('stepgate.web-widget.messages');
const root = globalThis as unknown as { [KEY]?: MessageRegistry };

/** The shared registry. */
root[KEY] ??= { challenge: {}, enroll: {} };
export const registry: MessageRegistry = root[KEY];

/**
 * Adds or replaces a language for both elements; elements already in the page re-render.
 *
 * @example
 * addMessages('de', { challenge: de, enroll: deEnroll });
 * document.querySelector('step-up-challenge')!.lang = 'de';
 */
export function addMessages(
  lang: string,
  tables: { challenge?: ChallengeMessages | undefined; enroll?: EnrollMessages | undefined },
): void {
  const key = lang.toLowerCase();
  if (tables.challenge) registry.challenge[key] = tables.challenge;
  if (tables.enroll) registry.enroll[key] = tables.enroll;
  // No document during server-side rendering: nothing to re-render yet (issue 19).
  for (const el of globalThis.document?.querySelectorAll('step-up-challenge, step-up-enroll') ?? []) {
    (el as HTMLElement & { requestUpdate?: () => void }).requestUpdate?.();
  }
}
