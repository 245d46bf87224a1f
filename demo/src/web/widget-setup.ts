/**
 * How the bank page sets up the widget: one `<step-up-challenge>` in the page (pages.ts), its
 * events, its strings and the language. docs/frontend.md quotes this file.
 */
import { en, fr, StepUpChallenge } from '@stepgate/web-widget';
import { h } from './dom.js';

// A named import, not a bare one: the widget's package.json marks its index as free of side
// effects, so bundlers drop `import '@stepgate/web-widget'` (reported to the widget's owner).
if (!customElements.get('step-up-challenge')) customElements.define('step-up-challenge', StepUpChallenge);

/** Listens to the widget's events and shows what happened in a small notice. */
export function setUpWidget(): void {
  const challenge = document.querySelector('step-up-challenge');
  if (!challenge) return;
  challenge.messages = { intro: 'Acme Bank asks you to confirm this one.' };
  challenge.addEventListener('step-up-complete', (event) => {
    // The method's name in the page's language; never the method id or the token's acr URN.
    const m = document.documentElement.lang === 'fr' ? fr : en;
    notice(`${m.verified} ${m.methods[event.method]}.`);
  });
  challenge.addEventListener('step-up-cancel', () => notice('Cancelled: nothing was sent.'));
  challenge.addEventListener('step-up-error', (event) => {
    if (event.error.code === 'locked') notice('Too many wrong codes: start again.');
  });
}

/** Switches the page between English and French; the widget follows the nearest `lang`. */
export function languageSwitch(): HTMLElement {
  const set = (lang: string) => {
    document.documentElement.lang = lang;
  };
  return h(
    'span',
    {},
    h('button', { className: 'secondary', lang: 'en', onclick: () => set('en') }, 'EN'),
    h('button', { className: 'secondary', lang: 'fr', onclick: () => set('fr') }, 'FR'),
  );
}

function notice(text: string): void {
  const el = h('div', { className: 'notice', role: 'status' }, text);
  document.body.append(el);
  setTimeout(() => el.remove(), 4000);
}
