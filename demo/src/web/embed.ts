/**
 * The page a mobile app shows in a webview: it uses the same fetch wrapper, and sdk-core posts
 * `challenge_started` / `challenge_completed` / `challenge_cancelled` to the native side through
 * the bridge (docs/webview.md). Outside a webview it says so and works as a normal page.
 */

import { detectWebview } from '@stepgate/sdk-core';
import { StepUpChallenge } from '@stepgate/web-widget';
import { call } from './api.js';
import { eur, h } from './dom.js';
import { verdictBox } from './views/verdict.js';

if (!customElements.get('step-up-challenge')) customElements.define('step-up-challenge', StepUpChallenge);

const root = document.getElementById('embed') as HTMLElement;
const kind = detectWebview();
const result = h('div', { 'data-testid': 'embed-result' });
const pay = async (amount: number) => {
  const outcome = await call('/api/transfers', {
    method: 'POST',
    json: { amount, payee: 'Boulangerie Martin' },
  });
  result.replaceChildren(verdictBox(outcome, `Paid ${eur(amount)}.`));
};
root.append(
  h(
    'section',
    { style: 'max-width: 420px; margin: 16px auto' },
    h('h2', {}, 'Pay from the Acme app'),
    h(
      'p',
      { className: 'muted', 'data-testid': 'webview' },
      kind ? `Running in a ${kind} webview: the bridge is on.` : 'Not in a webview: the bridge stays off.',
    ),
    h('button', { onclick: () => pay(25) }, `Pay ${eur(25)}`),
    h('button', { onclick: () => pay(900) }, `Pay ${eur(900)} (email code)`),
    result,
  ),
);
