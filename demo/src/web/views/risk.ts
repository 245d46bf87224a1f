import { clearContextCache, forgetDevice } from '@stepgate/sdk-core';
import { call, type Network, peekNetwork, setNextNetwork } from '../api.js';
import type { Me } from '../app.js';
import { eur, h } from '../dom.js';
import { verdictBox } from './verdict.js';

const SCENARIOS: Array<[Network | 'device', string, string]> = [
  [
    'device',
    'A new device',
    'Forgets this browser: no remembered-device token, a new device id. Raises the risk score.',
  ],
  ['abroad', 'Another country', 'Tokyo, minutes after Paris: impossible travel asks for a second factor.'],
  [
    'datacenter',
    'A datacenter IP',
    'Report-only: the audit log shows the deny it would have been; the request runs.',
  ],
  ['tor', 'A Tor exit', 'Denied outright.'],
];

/** The risk panel: make the next request look different and watch the verdict change. */
export async function renderRisk(section: HTMLElement, _me: Me): Promise<void> {
  const armed = h('p', { 'data-testid': 'armed' });
  const result = h('div', { 'data-testid': 'risk-result' });
  const show = () => {
    armed.textContent = `Next request comes from: ${peekNetwork()}`;
  };
  const buttons = SCENARIOS.map(([key, label, note]) =>
    h(
      'div',
      {},
      h(
        'button',
        {
          className: 'secondary',
          'data-scenario': key,
          onclick: () => {
            if (key === 'device') {
              forgetDevice();
              clearContextCache();
            } else setNextNetwork(key);
            show();
          },
        },
        label,
      ),
      h('span', { className: 'muted' }, ` ${note}`),
    ),
  );
  const check = async () => {
    const outcome = await call('/api/balance');
    const balance = typeof outcome.body.balance === 'number' ? eur(outcome.body.balance) : '';
    result.replaceChildren(verdictBox(outcome, `Balance read: ${balance}.`));
    show();
  };
  section.append(
    h('h2', {}, 'Risk panel'),
    h(
      'p',
      { className: 'muted' },
      'Pick what the next request looks like, then read the balance. The audit page shows the signals.',
    ),
    ...buttons,
    armed,
    h('button', { id: 'check-balance', onclick: check }, 'Read my balance now'),
    result,
  );
  show();
}
